/**
 * Deterministic demo data: persons living in households, each seen by the chain through several source records
 * (POS cards, a mall account, a mini-program sign-up, a WeCom contact), with two years of purchases.
 *
 * Every household draws from its own PRNG stream (seed, household index), so the output for a seed does not depend
 * on the chunk size and chunks can be produced lazily: a million members never sit in memory at once.
 *
 * The rows model a naive import: one `customers` row per source record, not merged. The ground truth (which
 * records are one person) travels alongside, for the identity-linking eval.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { canonicalPayload } from '../../functions/app/identity/payload.js';
import { storePhoneKey } from '../../shared/identity/blocked.js';
import { normalizeRecord, type RawSourceRecord } from '../../shared/identity/record.js';
import { type Condition, chronicProductsFor, DEMO_PRODUCTS, type DemoProduct } from './catalogue.js';
import { DEMO_STORES, type DemoStore } from './fixtures.js';
import { COMMUNITIES, FEMALE_GIVEN, HOMOPHONES, MALE_GIVEN, NICKNAMES, STREETS, SURNAMES } from './names.js';
import { hash32, Rng, seedNumber } from './prng.js';

export type Behaviour = 'regular' | 'irregular' | 'lapsed';
export type RecordSource = 'pos' | 'mall' | 'miniprogram' | 'wecom';
export type Gender = 'male' | 'female' | 'unknown';

export interface GenerateDemoOptions {
  seed: number | string;
  /** number of real persons (the naive import makes more customers rows than this) */
  members: number;
  /** mean number of occasional (non-refill) orders per person over the two-year history; default 3 */
  ordersPerMemberMean?: number;
  /** the moment the history ends; all dates are relative to it, so fix it for byte-identical output */
  now: Date;
  /** persons per chunk; ~5,000 persons give ~50k order lines, the bulk loader's batch size */
  chunkSize?: number;
}

export interface TruthPerson {
  personId: string;
  householdId: string;
  name: string;
  gender: 'male' | 'female';
  birthday: string;
  /** the person's own canonical mobile, null for elderly people who only use the family phone */
  phone: string | null;
  profile: 'chronic' | 'acute';
  behaviour: Behaviour | null;
  conditions: Condition[];
  /** lapsed patients: the day after which they bought no more refills */
  lapsedSince: string | null;
}

/** One source record, the unit of the naive import and of the identity truth CSV. */
export interface TruthRecord {
  recordId: string;
  source: RecordSource;
  sourceId: string;
  name: string;
  birthday: string | null;
  gender: Gender;
  /** as the source holds it: typed with noise at a counter, or canonical when WeChat verified it */
  phone: string | null;
  phoneVerified: boolean;
  email: string | null;
  cardNo: string | null;
  openid: string | null;
  unionid: string | null;
  wecomId: string | null;
  mallAccount: string | null;
  address: string | null;
  storeCode: string | null;
  lastActive: string;
  personId: string;
}

export interface CustomerRow {
  id: string;
  displayName: string | null;
  gender: Gender;
  birthday: string | null;
  homeStoreId: string | null;
  registeredAt: string | null;
  createdAt: string;
}

export type IdentityKind = 'phone' | 'openid' | 'unionid' | 'pos_card' | 'mall_account' | 'wecom_id' | 'email';

export interface IdentityRow {
  id: string;
  customerId: string;
  kind: IdentityKind;
  value: string;
  rawValue: string | null;
  verified: boolean;
  quality: 'valid' | 'invalid' | 'blocked';
  source: RecordSource;
  sourceId: string;
  lastSeenAt: string;
  createdAt: string;
}

/** The source record behind a customers row, normalised exactly as the ingest API and the file import do it. */
export interface SourceRecordRow {
  id: string;
  source: RecordSource;
  sourceId: string;
  customerId: string;
  storeId: string | null;
  name: string | null;
  nameKind: 'real' | 'honorific' | 'unknown';
  surname: string | null;
  nameKey: string | null;
  birthday: string | null;
  gender: Gender;
  phone: string | null;
  phoneVerified: boolean;
  email: string | null;
  province: string | null;
  city: string | null;
  district: string | null;
  lastActive: string | null;
  payload: string;
  payloadHash: string;
  createdAt: string;
}

export interface OrderRow {
  id: string;
  source: RecordSource;
  externalId: string;
  storeId: string | null;
  customerId: string;
  /** the source record the source gave the order to (its source_id: card number, mall account, openid) */
  memberSourceId: string;
  totalFen: number;
  discountFen: number;
  paidFen: number;
  orderedAt: string;
}

export interface OrderLineRow {
  orderId: string;
  lineNo: number;
  productId: string;
  sku: string;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
}

export interface DemoChunk {
  index: number;
  persons: TruthPerson[];
  records: TruthRecord[];
  customers: CustomerRow[];
  sourceRecords: SourceRecordRow[];
  identities: IdentityRow[];
  orders: OrderRow[];
  orderLines: OrderLineRow[];
}

export interface DemoData {
  options: Required<GenerateDemoOptions>;
  /** Regenerates the same chunks on every call (cheap to hold, deterministic to replay). */
  chunks(): Generator<DemoChunk>;
}

export const PLACEHOLDER_PHONES: readonly string[] = [
  '13800000000',
  '13900000000',
  '11111111111',
  '13888888888',
  '13999999999',
  '00000000000',
];

const DAY_MS = 86_400_000;
/** Business days are Shanghai days (UTC+8, no DST): a sale at 23:30 local belongs to that local day. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const HISTORY_DAYS = 730;

/**
 * Mobile prefixes the generator draws from. 136–139 and 150 are left out so synthetic numbers never collide with
 * the fixed demo users (139000000xx, 13712345678…) or the placeholders clerks type (138/139 runs).
 */
const PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '134',
  '135',
  '147',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '166',
  '170',
  '173',
  '175',
  '176',
  '177',
  '178',
  '180',
  '181',
  '182',
  '183',
  '185',
  '186',
  '187',
  '188',
  '189',
  '191',
  '198',
  '199',
];

const HZ_STORES = DEMO_STORES.filter((s) => s.regionId === 'reg_hz');
const NB_STORES = DEMO_STORES.filter((s) => s.regionId === 'reg_nb');
const OCCASIONAL = {
  otc: DEMO_PRODUCTS.filter((p) => p.kind === 'otc'),
  acute: DEMO_PRODUCTS.filter((p) => p.kind === 'acute'),
  goods: DEMO_PRODUCTS.filter((p) => p.kind === 'goods' && p.priceFen < 10000),
};
const TEST_STRIPS = DEMO_PRODUCTS.filter((p) => p.genericName === '血糖试纸');
const CHRONIC_BY_CONDITION = new Map<Condition, DemoProduct[]>(
  (['hypertension', 'diabetes', 'lipids', 'respiratory', 'cardio', 'thyroid'] as const).map((c) => [
    c,
    chronicProductsFor(c),
  ]),
);

export function generateDemo(options: GenerateDemoOptions): DemoData {
  const opts: Required<GenerateDemoOptions> = {
    ordersPerMemberMean: 3,
    chunkSize: 5000,
    ...options,
  };
  if (!Number.isInteger(opts.members) || opts.members < 0) throw new Error(`members must be >= 0: ${opts.members}`);
  if (Number.isNaN(opts.now.getTime())) throw new Error('now must be a valid date');
  return { options: opts, chunks: () => generateChunks(opts) };
}

function* generateChunks(opts: Required<GenerateDemoOptions>): Generator<DemoChunk> {
  const ctx: Ctx = {
    seed: seedNumber(opts.seed),
    nowDay: Math.floor((opts.now.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS),
    occasionalMean: opts.ordersPerMemberMean,
  };
  let persons = 0;
  let household = 0;
  let chunk = emptyChunk(0);
  while (persons < opts.members) {
    persons += generateHousehold(ctx, household, opts.members - persons, chunk);
    household += 1;
    if (chunk.persons.length >= opts.chunkSize) {
      yield chunk;
      chunk = emptyChunk(chunk.index + 1);
    }
  }
  if (chunk.persons.length > 0) yield chunk;
}

function emptyChunk(index: number): DemoChunk {
  return {
    index,
    persons: [],
    records: [],
    customers: [],
    sourceRecords: [],
    identities: [],
    orders: [],
    orderLines: [],
  };
}

interface Ctx {
  seed: number;
  nowDay: number;
  occasionalMean: number;
}

// ---------------------------------------------------------------------------------------------------------------
// phones

/** The canonical mobile of (household, slot): a bijection on the 8-digit suffix keeps every number unique. */
export function phoneOf(seed: number, household: number, slot: number): string {
  const idx = household * 4 + slot;
  // 48271 is coprime with 10^8, so idx -> suffix is a permutation for idx < 10^8
  const suffix = (idx * 48271 + (hash32(seed, 0x90e) % 100_000_000)) % 100_000_000;
  const prefix = PREFIXES[hash32(seed, idx, 7) % PREFIXES.length];
  return prefix + String(suffix).padStart(8, '0');
}

/** Canonical form of a typed mainland mobile: full-width digits folded, separators and the +86/0086 prefix dropped. */
export function normalisePhone(raw: string): string {
  const ascii = raw.replace(/[\uff10-\uff19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xff10 + 48));
  let digits = ascii.replace(/\D/g, '');
  if (digits.length === 15 && digits.startsWith('0086')) digits = digits.slice(4);
  else if (digits.length === 13 && digits.startsWith('86')) digits = digits.slice(2);
  return digits;
}

const toFullWidth = (s: string) => s.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

/** How a phone looks after a clerk or a web form typed it. */
function typedPhone(rng: Rng, phone: string): string {
  const a = phone.slice(0, 3);
  const b = phone.slice(3, 7);
  const c = phone.slice(7);
  if (rng.chance(0.02)) {
    // a transposed pair of digits: the number no longer reaches the person
    const i = rng.int(3, 9);
    phone = phone.slice(0, i) + phone[i + 1] + phone[i] + phone.slice(i + 2);
  }
  return rng.weighted<() => string>([
    [() => phone, 62],
    [() => `+86 ${a} ${b} ${c}`, 6],
    [() => `+86${phone}`, 6],
    [() => `0086-${phone}`, 3],
    [() => `0086${phone}`, 2],
    [() => `${a}-${b}-${c}`, 7],
    [() => `${a} ${b} ${c}`, 8],
    [() => toFullWidth(phone), 4],
    [() => ` ${phone} `, 2],
  ])();
}

// ---------------------------------------------------------------------------------------------------------------
// dates

const dayIso = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
/** local Shanghai day + seconds after local midnight -> UTC ISO timestamp */
const tsIso = (day: number, secondOfDay: number) =>
  new Date(day * DAY_MS - SHANGHAI_OFFSET_MS + secondOfDay * 1000).toISOString();
const shopSecond = (rng: Rng) =>
  rng.weighted([
    [rng.int(8, 11), 4],
    [rng.int(12, 16), 3],
    [rng.int(17, 21), 4],
  ]) *
    3600 +
  rng.int(0, 3599);

// ---------------------------------------------------------------------------------------------------------------
// households and persons

interface Person {
  truth: TruthPerson;
  slot: number;
  surname: string;
  given: string;
  age: number;
  homeStore: DemoStore;
  /** lapsed patients: local day after which no refill was bought */
  lapsedDay: number | null;
  /** the phone this person gives at counters: their own, or the family's */
  counterPhone: string;
}

function generateHousehold(ctx: Ctx, h: number, remaining: number, out: DemoChunk): number {
  const rng = new Rng(hash32(ctx.seed, h, 0x5eed));
  const size = Math.min(
    remaining,
    rng.weighted([
      [1, 60],
      [2, 30],
      [3, 10],
    ] as const),
  );
  const householdId = `hh_${pad(h, 8)}`;
  const region = rng.chance(0.8) ? HZ_STORES : NB_STORES;
  const homeStore = rng.pick(region);
  const familyPhone = phoneOf(ctx.seed, h, 0);
  const persons: Person[] = [];

  for (let slot = 0; slot < size; slot++) {
    const head = persons[0];
    let gender: 'male' | 'female';
    let age: number;
    let surname: string;
    if (slot === 0) {
      gender = rng.chance(0.5) ? 'male' : 'female';
      age = rng.weighted([
        [rng.int(20, 39), 35],
        [rng.int(40, 59), 35],
        [rng.int(60, 88), 30],
      ]);
      surname = rng.weighted(SURNAMES);
    } else if (slot === 1) {
      // spouse
      gender = head.truth.gender === 'male' ? 'female' : 'male';
      age = Math.max(20, head.age + rng.int(-5, 5));
      surname = rng.weighted(SURNAMES);
    } else {
      // an elderly parent of the head
      gender = rng.chance(0.5) ? 'male' : 'female';
      age = Math.min(95, head.age + rng.int(24, 32));
      surname = gender === 'male' ? head.surname : rng.weighted(SURNAMES);
    }
    let given = rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
    while (persons.some((p) => p.given === given)) given = rng.pick(gender === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
    let birthDay = ctx.nowDay - age * 365 - rng.int(0, 364);
    while (persons.some((p) => p.truth.birthday === dayIso(birthDay))) birthDay -= 1;
    const ownPhone = slot === 0 || age < 75 || rng.chance(0.4) ? phoneOf(ctx.seed, h, slot) : null;
    // family members often give the household's number at the counter: the "shared family phone" case
    const counterPhone = slot > 0 && (ownPhone === null || rng.chance(0.55)) ? familyPhone : (ownPhone ?? familyPhone);

    const chronicP = age < 40 ? 0.08 : age < 60 ? 0.3 : 0.55;
    const chronic = rng.chance(chronicP);
    const conditions: Condition[] = [];
    if (chronic) {
      if (rng.chance(0.6)) conditions.push('hypertension');
      if (rng.chance(0.35)) conditions.push('diabetes');
      if (rng.chance(0.3)) conditions.push('lipids');
      if (rng.chance(0.1)) conditions.push('respiratory');
      if (age >= 60 && rng.chance(0.15)) conditions.push('cardio');
      if (gender === 'female' && rng.chance(0.06)) conditions.push('thyroid');
      if (conditions.length === 0) conditions.push(rng.pick(['hypertension', 'diabetes', 'lipids'] as const));
    }
    const behaviour: Behaviour | null = chronic
      ? rng.weighted([
          ['regular', 55],
          ['irregular', 30],
          ['lapsed', 15],
        ] as const)
      : null;
    const lapsedDay = behaviour === 'lapsed' ? ctx.nowDay - rng.int(30, 90) : null;

    persons.push({
      slot,
      surname,
      given,
      age,
      lapsedDay,
      homeStore: slot > 0 && rng.chance(0.2) ? rng.pick(region) : homeStore,
      counterPhone,
      truth: {
        personId: `psn_${pad(h, 8)}${slot}`,
        householdId,
        name: surname + given,
        gender,
        birthday: dayIso(birthDay),
        phone: ownPhone,
        profile: chronic ? 'chronic' : 'acute',
        behaviour,
        conditions,
        lapsedSince: lapsedDay === null ? null : dayIso(lapsedDay),
      },
    });
  }

  for (const person of persons) generatePerson(ctx, rng, h, person, out);
  return size;
}

// ---------------------------------------------------------------------------------------------------------------
// source records of one person

interface SourceRec {
  truth: TruthRecord;
  customer: CustomerRow;
  identities: IdentityRow[];
  /** first and last local day this record can carry orders; end exclusive */
  fromDay: number;
  toDay: number;
  storeId: string | null;
  orderSeq: number;
  lastDay: number;
}

function generatePerson(ctx: Ctx, rng: Rng, h: number, person: Person, out: DemoChunk): void {
  const { nowDay } = ctx;
  const windowStart = nowDay - HISTORY_DAYS;
  const p = person.truth;
  const key = `${pad(h, 8)}${person.slot}`;
  const recs: SourceRec[] = [];
  let letter = 0;
  const nextId = () => String.fromCharCode(97 + letter++);

  const addRecord = (
    source: RecordSource,
    fields: Partial<TruthRecord> & { sourceId: string },
    customer: Omit<CustomerRow, 'id'>,
    fromDay: number,
    toDay: number,
    storeId: string | null,
  ): SourceRec => {
    const id = `cus_${key}${nextId()}`;
    const rec: SourceRec = {
      truth: {
        recordId: id,
        source,
        name: '',
        birthday: null,
        gender: 'unknown',
        phone: null,
        phoneVerified: false,
        email: null,
        cardNo: null,
        openid: null,
        unionid: null,
        wecomId: null,
        mallAccount: null,
        address: null,
        storeCode: null,
        lastActive: '',
        personId: p.personId,
        ...fields,
      },
      customer: { id, ...customer },
      identities: [],
      fromDay,
      toDay,
      storeId,
      orderSeq: 0,
      lastDay: fromDay,
    };
    recs.push(rec);
    return rec;
  };

  const counterName = () => {
    if (rng.chance(0.03)) return person.surname + (p.gender === 'male' ? '先生' : '女士');
    if (rng.chance(0.08)) return typoName(person.surname, person.given);
    return p.name;
  };
  const counterPhoneRaw = (phone: string) => (rng.chance(0.03) ? rng.pick(PLACEHOLDER_PHONES) : typedPhone(rng, phone));
  const address = () => {
    const s = person.homeStore;
    return `${s.city}${s.district}${rng.pick(STREETS[s.district] ?? ['人民路'])}${rng.int(1, 999)}号${rng.pick(COMMUNITIES)}${rng.int(1, 30)}幢${rng.int(1, 3)}单元${rng.int(1, 26)}0${rng.int(1, 4)}室`;
  };

  const posCard = (store: DemoStore, fromDay: number, toDay: number, phone: string | null): SourceRec => {
    const cardNo = `88${pad(h, 8)}${person.slot}${letter}`;
    const rawPhone = phone === null ? null : counterPhoneRaw(phone);
    const createdDay = Math.min(fromDay, nowDay - 1);
    const gender: Gender = rng.chance(0.3) ? 'unknown' : p.gender;
    const birthday = rng.chance(0.55) ? p.birthday : null;
    return addRecord(
      'pos',
      {
        sourceId: cardNo,
        cardNo,
        name: counterName(),
        gender,
        birthday,
        phone: rawPhone,
        storeCode: store.code,
        address: rng.chance(0.15) ? address() : null,
      },
      {
        displayName: null,
        gender,
        birthday,
        homeStoreId: store.id,
        registeredAt: null,
        createdAt: tsIso(createdDay, shopSecond(rng)),
      },
      fromDay,
      toDay,
      store.id,
    );
  };

  // POS cards: most people have one at their home store; some a second store's card, some a re-issued duplicate
  const hasPos = rng.chance(0.93);
  if (hasPos) {
    const firstDay = Math.min(windowStart - rng.int(0, 1500), nowDay - 1);
    const openedLate = rng.chance(0.15) ? windowStart + rng.int(0, HISTORY_DAYS - 30) : firstDay;
    if (rng.chance(0.06)) {
      // the first card was lost and a new one issued at the same store: a duplicate card of one person
      const switchDay = openedLate + rng.int(30, Math.max(31, nowDay - openedLate - 30));
      posCard(person.homeStore, openedLate, switchDay, person.counterPhone);
      posCard(person.homeStore, switchDay, nowDay, person.counterPhone);
    } else {
      posCard(person.homeStore, openedLate, nowDay, person.counterPhone);
    }
    if (rng.chance(0.2)) {
      const region = person.homeStore.regionId === 'reg_hz' ? HZ_STORES : NB_STORES;
      const other = region[(region.indexOf(person.homeStore) + rng.int(1, region.length - 1)) % region.length];
      posCard(other, windowStart + rng.int(0, HISTORY_DAYS - 30), nowDay, person.counterPhone);
    }
  }

  // a long-dormant card whose phone has since been recycled to someone in another household
  if (h > 0 && rng.chance(0.02)) {
    const oldFrom = nowDay - rng.int(1500, 2400);
    const recycled = phoneOf(ctx.seed, h - rng.int(1, Math.min(h, 500)), 0);
    const rec = posCard(person.homeStore, oldFrom, oldFrom + rng.int(60, 300), recycled);
    rec.truth.phone = typedPhone(rng, recycled);
  }

  // an online-mall account, more likely for younger people
  const mallP = person.age < 45 ? 0.3 : person.age < 65 ? 0.15 : 0.04;
  if (rng.chance(mallP) || !hasPos) {
    const account = `mall_${pad(h, 8)}${person.slot}`;
    const fromDay = windowStart + rng.int(-400, HISTORY_DAYS - 20);
    const emailLocal = rng.chance(0.6)
      ? String(rng.int(10_000_000, 2_999_999_999))
      : `${pinyinish(rng)}${rng.int(1, 999)}`;
    const domain = rng.weighted([
      ['qq.com', 6],
      ['163.com', 3],
      ['126.com', 1],
      ['sina.com', 1],
    ] as const);
    const rawEmail = rng.chance(0.1)
      ? `${emailLocal.toUpperCase()}@${domain.toUpperCase()}`
      : `${emailLocal}@${domain}`;
    const phone = rng.chance(0.9) ? typedPhone(rng, p.phone ?? person.counterPhone) : null;
    const name = rng.chance(0.7) ? p.name : rng.pick(NICKNAMES);
    const birthday = rng.chance(0.3) ? p.birthday : null;
    addRecord(
      'mall',
      {
        sourceId: account,
        mallAccount: account,
        name,
        birthday,
        gender: rng.chance(0.5) ? p.gender : 'unknown',
        phone,
        email: rawEmail,
        address: address(),
      },
      {
        displayName: name,
        gender: 'unknown',
        birthday,
        homeStoreId: null,
        registeredAt: null,
        createdAt: tsIso(Math.min(fromDay, nowDay - 1), shopSecond(rng)),
      },
      fromDay,
      nowDay,
      null,
    );
  }

  // a mini-program member: WeChat proved the phone, so it is canonical and verified
  const mpP = p.phone === null ? 0 : person.age < 60 ? 0.4 : 0.2;
  if (rng.chance(mpP) && p.phone !== null) {
    const openid = `oMdL${token(rng, 24)}`;
    const unionid = rng.chance(0.85) ? `oUnN${token(rng, 24)}` : null;
    const regDay = nowDay - rng.int(1, 540);
    const registeredAt = tsIso(regDay, shopSecond(rng));
    const name = rng.chance(0.5) ? p.name : rng.pick(NICKNAMES);
    const birthday = rng.chance(0.5) ? p.birthday : null;
    addRecord(
      'miniprogram',
      {
        sourceId: openid,
        openid,
        unionid,
        name,
        birthday,
        gender: p.gender,
        phone: p.phone,
        phoneVerified: true,
        storeCode: person.homeStore.code,
      },
      {
        displayName: name,
        gender: p.gender,
        birthday,
        homeStoreId: person.homeStore.id,
        registeredAt,
        createdAt: registeredAt,
      },
      regDay,
      nowDay,
      person.homeStore.id,
    );
    // some members also added a pharmacist's WeCom: same unionid, a different source
    if (unionid !== null && rng.chance(0.25)) {
      const wecomId = `wmMdL${token(rng, 27)}`;
      const addDay = Math.min(nowDay - 1, regDay + rng.int(0, 200));
      addRecord(
        'wecom',
        {
          sourceId: wecomId,
          wecomId,
          unionid,
          name: rng.pick(NICKNAMES),
          gender: p.gender,
          storeCode: person.homeStore.code,
        },
        {
          displayName: null,
          gender: p.gender,
          birthday: null,
          homeStoreId: person.homeStore.id,
          registeredAt: null,
          createdAt: tsIso(addDay, shopSecond(rng)),
        },
        addDay,
        addDay,
        person.homeStore.id,
      );
    }
  }

  // purchases
  const events = purchaseEvents(ctx, rng, person);
  const dormant = recs.filter((r) => r.truth.source === 'pos' && r.toDay < windowStart);
  for (const rec of dormant) {
    // the dormant card's own past: a few OTC buys before it went quiet
    const n = rng.int(1, 4);
    for (let i = 0; i < n; i++) {
      events.push({ day: rng.int(rec.fromDay, rec.toDay - 1), lines: [{ product: rng.pick(OCCASIONAL.otc), qty: 1 }] });
    }
  }
  events.sort((a, b) => a.day - b.day);
  for (const ev of events) {
    const rec = chooseRecord(rng, recs, ev.day);
    if (rec) emitOrder(rng, rec, ev, key, out);
  }

  for (const rec of recs) {
    const lastDay = Math.max(rec.lastDay, Math.min(rec.fromDay, nowDay - 1));
    rec.truth.lastActive = dayIso(lastDay);
    out.sourceRecords.push(buildIdentities(rec, tsIso(lastDay, 0)));
    out.records.push(rec.truth);
    out.customers.push(rec.customer);
    out.identities.push(...rec.identities);
  }
  out.persons.push(p);
}

function chooseRecord(rng: Rng, recs: SourceRec[], day: number): SourceRec | undefined {
  const live = recs.filter((r) => r.fromDay <= day && day < r.toDay && r.truth.source !== 'wecom');
  if (live.length === 0) return undefined;
  const mall = live.find((r) => r.truth.source === 'mall');
  const mp = live.find((r) => r.truth.source === 'miniprogram');
  const pos = live.filter((r) => r.truth.source === 'pos');
  if (mall && (pos.length === 0 || rng.chance(0.15))) return mall;
  if (mp && (pos.length === 0 || rng.chance(0.1))) return mp;
  if (pos.length === 0) return live[0];
  // the home-store card carries most visits; a second store's card the rest
  return pos.length === 1 || rng.chance(0.8) ? pos[0] : pos[1 + Math.floor(rng.next() * (pos.length - 1))];
}

interface PurchaseEvent {
  day: number;
  lines: { product: DemoProduct; qty: number }[];
}

function purchaseEvents(ctx: Ctx, rng: Rng, person: Person): PurchaseEvent[] {
  const { nowDay } = ctx;
  const windowStart = nowDay - HISTORY_DAYS;
  const p = person.truth;
  const fills: { day: number; product: DemoProduct; qty: number }[] = [];

  for (const condition of p.conditions) {
    const options = CHRONIC_BY_CONDITION.get(condition) ?? [];
    const longer = options.filter((o) => (o.daysSupply ?? 0) >= 14);
    let product = rng.pick(longer.length > 0 && rng.chance(0.8) ? longer : options);
    const supplyDays = product.daysSupply ?? 30;
    const targetDays = rng.weighted([
      [30, 6],
      [60, 3],
      [90, 1],
    ] as const);
    const qty = Math.max(1, Math.round(targetDays / supplyDays));
    const supply = qty * supplyDays;
    const lapseDay = person.lapsedDay;
    let day = nowDay - rng.int(60, HISTORY_DAYS + 400);
    if (day < windowStart) day = windowStart + rng.int(0, supply - 1);
    if (lapseDay !== null && day + supply > lapseDay) day = lapseDay - supply - rng.int(0, 150);
    while (day < nowDay) {
      if (lapseDay !== null && day + supply > lapseDay) break;
      fills.push({ day, product, qty });
      // a few patients switch brand once (price, stock-outs): same generic family, same condition
      if (rng.chance(0.02)) product = rng.pick(options.filter((o) => o.daysSupply === product.daysSupply)) ?? product;
      const gap =
        p.behaviour === 'irregular'
          ? Math.round(supply * (1.15 + rng.next() * 0.9)) + rng.int(0, 10)
          : supply + rng.int(-5, 2);
      day += Math.max(1, gap);
    }
  }

  // refills of several medicines bought within a couple of days become one visit
  fills.sort((a, b) => a.day - b.day);
  const events: PurchaseEvent[] = [];
  for (const f of fills) {
    const last = events[events.length - 1];
    if (last && f.day - last.day <= 2) {
      const same = last.lines.find((l) => l.product === f.product);
      if (same) same.qty += f.qty;
      else last.lines.push({ product: f.product, qty: f.qty });
    } else {
      events.push({ day: f.day, lines: [{ product: f.product, qty: f.qty }] });
    }
  }
  for (const ev of events) {
    if (p.conditions.includes('diabetes') && rng.chance(0.3)) ev.lines.push({ product: rng.pick(TEST_STRIPS), qty: 1 });
    if (rng.chance(0.2)) ev.lines.push({ product: rng.pick(OCCASIONAL.otc), qty: 1 });
  }

  // occasional buys: colds, antibiotics on prescription, masks and vitamins
  const activity = 0.3 + rng.next() * 1.4;
  const n = rng.poisson(ctx.occasionalMean * activity);
  for (let i = 0; i < n; i++) {
    const nLines = rng.weighted([
      [1, 60],
      [2, 30],
      [3, 10],
    ] as const);
    const lines: PurchaseEvent['lines'] = [];
    for (let j = 0; j < nLines; j++) {
      const pool = rng.weighted([
        [OCCASIONAL.otc, 60],
        [OCCASIONAL.acute, 25],
        [OCCASIONAL.goods, 15],
      ] as const);
      const product = rng.pick(pool);
      if (!lines.some((l) => l.product === product)) lines.push({ product, qty: rng.chance(0.85) ? 1 : 2 });
    }
    events.push({ day: windowStart + rng.int(0, HISTORY_DAYS - 1), lines });
  }
  return events.filter((e) => e.day < nowDay);
}

function emitOrder(rng: Rng, rec: SourceRec, ev: PurchaseEvent, key: string, out: DemoChunk): void {
  rec.orderSeq += 1;
  const seq = pad(rec.orderSeq, 4);
  const id = `ord_${rec.customer.id.slice(4)}${seq}`;
  const ymd = dayIso(ev.day).replaceAll('-', '');
  const source = rec.truth.source;
  const storeCode = rec.truth.storeCode ?? 'HZ001';
  const externalId =
    source === 'pos'
      ? `${storeCode}-${ymd}-${key}${rec.customer.id.slice(-1)}${seq}`
      : source === 'mall'
        ? `TM${ymd}${key}${seq}`
        : `WX${ymd}${key}${seq}`;
  let total = 0;
  ev.lines.forEach((l, i) => {
    const amount = l.qty * l.product.priceFen;
    total += amount;
    out.orderLines.push({
      orderId: id,
      lineNo: i + 1,
      productId: l.product.id,
      sku: l.product.sku,
      quantity: l.qty,
      unitPriceFen: l.product.priceFen,
      amountFen: amount,
    });
  });
  // member price on some baskets: 2–10 % off, rounded to the jiao as tills do
  const discount = rng.chance(0.35) ? Math.floor((total * rng.int(2, 10)) / 1000) * 10 : 0;
  out.orders.push({
    id,
    source,
    externalId,
    storeId: rec.storeId,
    customerId: rec.customer.id,
    memberSourceId: rec.truth.sourceId,
    totalFen: total,
    discountFen: discount,
    paidFen: total - discount,
    orderedAt: tsIso(ev.day, shopSecond(rng)),
  });
  rec.lastDay = Math.max(rec.lastDay, ev.day);
}

/** A truth record as its source system would export it: the shape the ingest API and the file import take. */
export function truthToRaw(t: TruthRecord): RawSourceRecord {
  return {
    sourceId: t.sourceId,
    name: t.name || null,
    birthday: t.birthday,
    gender: t.gender === 'unknown' ? null : t.gender,
    phone: t.phone,
    phoneVerified: t.phoneVerified,
    email: t.email,
    cardNo: t.cardNo,
    openid: t.openid,
    unionid: t.unionid,
    wecomId: t.wecomId,
    mallAccount: t.mallAccount,
    address: t.address,
    storeCode: t.storeCode,
    lastActive: t.lastActive || null,
  };
}

/** The stores' own counter numbers: a clerk typing one must never link cards. */
export const DEMO_STORE_PHONES: ReadonlySet<string> = new Set(
  DEMO_STORES.flatMap((s) => (s.phone ? [storePhoneKey(s.phone)] : [])),
);
const STORE_BY_CODE = new Map(DEMO_STORES.map((s) => [s.code, s.id]));

/**
 * Identities and the source record row, through the same normaliser as the product's ingest (shared/identity),
 * so demo data, imported files and API calls hold identical values.
 */
function buildIdentities(rec: SourceRec, lastSeenAt: string): SourceRecordRow {
  const t = rec.truth;
  const raw = truthToRaw(t);
  const normalized = normalizeRecord(t.source, raw, DEMO_STORE_PHONES);
  if (!normalized.ok) throw new Error(`generated record ${t.recordId} does not normalise: ${normalized.refusal.code}`);
  const n = normalized.record;
  for (const i of n.identifiers) {
    rec.identities.push({
      id: `idn_${rec.customer.id.slice(4)}${rec.identities.length}`,
      customerId: rec.customer.id,
      kind: i.kind,
      value: i.value,
      rawValue: i.raw,
      verified: i.verified,
      quality: i.quality,
      source: t.source,
      sourceId: t.sourceId,
      lastSeenAt,
      createdAt: rec.customer.createdAt,
    });
  }
  const { payload, hash } = canonicalPayload(raw as unknown as Record<string, unknown>);
  return {
    id: `rec_${rec.customer.id.slice(4)}`,
    source: t.source,
    sourceId: t.sourceId,
    customerId: rec.customer.id,
    storeId: n.storeCode ? (STORE_BY_CODE.get(n.storeCode) ?? null) : null,
    name: n.name,
    nameKind: n.nameKind,
    surname: n.surname,
    nameKey: n.nameKey,
    birthday: n.birthday,
    gender: n.gender,
    phone: n.phone,
    phoneVerified: n.phoneVerified,
    email: n.email,
    province: n.province,
    city: n.city,
    district: n.district,
    lastActive: n.lastActive,
    payload: JSON.stringify(payload),
    payloadHash: hash,
    createdAt: rec.customer.createdAt,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// small helpers

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

const TOKEN_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function token(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += TOKEN_CHARS[Math.floor(rng.next() * 64)];
  return s;
}

const SYLLABLES = [
  'wang',
  'li',
  'zhang',
  'liu',
  'chen',
  'yang',
  'hua',
  'ming',
  'fang',
  'jing',
  'xiao',
  'hong',
  'wei',
  'lin',
];
function pinyinish(rng: Rng): string {
  return rng.pick(SYLLABLES) + rng.pick(SYLLABLES);
}

function typoName(surname: string, given: string): string {
  const chars = [...given];
  const i = chars.findIndex((c) => HOMOPHONES[c] !== undefined);
  if (i >= 0) {
    chars[i] = HOMOPHONES[chars[i]];
    return surname + chars.join('');
  }
  // no homophone at hand: the second character of a two-character name gets dropped
  return chars.length > 1 ? surname + chars[0] : surname + given + given;
}

// ---------------------------------------------------------------------------------------------------------------
// ground truth CSV

export const IDENTITY_TRUTH_COLUMNS = [
  'record_id',
  'source',
  'source_id',
  'name',
  'birthday',
  'gender',
  'phone',
  'phone_verified',
  'email',
  'card_no',
  'openid',
  'unionid',
  'wecom_id',
  'mall_account',
  'address',
  'store_code',
  'last_active',
  'person_id',
] as const;

function csvField(value: string | boolean | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replaceAll('"', '""')}"` : s;
}

export function identityTruthCsvRow(r: TruthRecord): string {
  return [
    r.recordId,
    r.source,
    r.sourceId,
    r.name,
    r.birthday,
    r.gender,
    r.phone,
    r.phoneVerified,
    r.email,
    r.cardNo,
    r.openid,
    r.unionid,
    r.wecomId,
    r.mallAccount,
    r.address,
    r.storeCode,
    r.lastActive,
    r.personId,
  ]
    .map(csvField)
    .join(',');
}

/** Streams the identity ground truth (one row per source record) to `file`; returns the number of rows. */
export async function writeIdentityTruthCsv(data: DemoData, file: string): Promise<number> {
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file, { encoding: 'utf8' });
  let rows = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write(`${IDENTITY_TRUTH_COLUMNS.join(',')}\n`);
  for (const chunk of data.chunks()) {
    await write(chunk.records.map((r) => `${identityTruthCsvRow(r)}\n`).join(''));
    rows += chunk.records.length;
  }
  out.end();
  await once(out, 'finish');
  return rows;
}

/** The columns of an orders export as `npm run import -- --kind orders` reads it by default (DEFAULT_ORDER_MAPPING). */
export const ORDERS_EXPORT_COLUMNS = [
  'source',
  'order_id',
  'member_id',
  'store_code',
  'ordered_at',
  'sku',
  'product_name',
  'quantity',
  'unit_price',
  'amount',
  'discount',
  'paid',
] as const;

const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;

/** Beijing wall-clock time, as a till prints it. */
function beijingTime(iso: string): string {
  const t = new Date(Date.parse(iso) + 8 * 3_600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 19)}`;
}

/**
 * The POS and mall orders of the demo as those systems would export them for the initial migration: one row per
 * item sold, amounts in yuan, Beijing time, the order's discount and paid amount on its first row. Returns
 * { orders, rows }.
 */
export async function writeOrdersCsv(data: DemoData, file: string): Promise<{ orders: number; rows: number }> {
  await mkdir(dirname(file), { recursive: true });
  const out = createWriteStream(file, { encoding: 'utf8' });
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const storeCode = new Map(DEMO_STORES.map((st) => [st.id, st.code]));
  const names = new Map(DEMO_PRODUCTS.map((p) => [p.sku, p.name]));
  let orders = 0;
  let rows = 0;
  await write(`${ORDERS_EXPORT_COLUMNS.join(',')}\n`);
  for (const chunk of data.chunks()) {
    const linesOf = new Map<string, OrderLineRow[]>();
    for (const l of chunk.orderLines) {
      const list = linesOf.get(l.orderId);
      if (list) list.push(l);
      else linesOf.set(l.orderId, [l]);
    }
    const text: string[] = [];
    for (const o of chunk.orders) {
      if (o.source !== 'pos' && o.source !== 'mall') continue;
      orders += 1;
      for (const [i, l] of (linesOf.get(o.id) ?? []).entries()) {
        rows += 1;
        text.push(
          [
            o.source,
            o.externalId,
            o.memberSourceId,
            o.storeId === null ? null : (storeCode.get(o.storeId) ?? null),
            beijingTime(o.orderedAt),
            l.sku,
            names.get(l.sku) ?? null,
            String(l.quantity),
            yuan(l.unitPriceFen),
            yuan(l.amountFen),
            i === 0 ? yuan(o.discountFen) : null,
            i === 0 ? yuan(o.paidFen) : null,
          ]
            .map(csvField)
            .join(','),
        );
      }
    }
    if (text.length > 0) await write(`${text.join('\n')}\n`);
  }
  out.end();
  await once(out, 'finish');
  return { orders, rows };
}
