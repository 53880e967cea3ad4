/**
 * Why the linker misses pairs it could reach: every same-person pair inside the recall ceiling (joined by a chain of
 * usable identifiers) that the linker left in two customers, classified by what joins the two records and what the
 * rules saw on the way (a family phone, a nickname, a dormant card, conflicting birthdays, a hold…). Printed by
 * `npm run eval -- identity --explain`; a development aid, not part of the product.
 */
import { writeFile } from 'node:fs/promises';
import { sql } from 'drizzle-orm';
import type { Database } from '../../functions/adapters/db/client.js';
import { rows } from '../../functions/adapters/db/repos/identity.repo.js';
import {
  comparableNames,
  decidePhoneGroup,
  isDormant,
  LINK_LIMITS,
  type RecordFacts,
} from '../../shared/identity/link.rules.js';

interface Rec extends RecordFacts {
  source: string;
  customerId: string;
  phone: string | null;
}

export interface GapInput {
  db: Database;
  truth: ReadonlyMap<string, string>;
  /** `${source}\0${sourceId}` → truth record id */
  recordOf: ReadonlyMap<string, string>;
  /** truth record id → ceiling component */
  components: ReadonlyMap<string, string>;
  today: string;
  /** examples to keep per category (records on the shared phone, with their truth) */
  examples?: number;
}

export interface GapRow {
  category: string;
  pairs: number;
  share: number;
  examples: string[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const bdRel = (a: Rec, b: Rec) =>
  a.birthday === null || b.birthday === null ? 'bd?' : a.birthday === b.birthday ? 'bd=' : 'bd≠';
const kindOf = (r: Rec) => (r.nameKind === 'real' ? 'name' : r.nameKind === 'honorific' ? 'honorific' : 'nick');

interface DbRec {
  id: string;
  source: string;
  source_id: string;
  customer_id: string;
  name: string | null;
  name_key: string | null;
  name_kind: 'real' | 'honorific' | 'unknown';
  surname: string | null;
  birthday: string | null;
  gender: 'male' | 'female' | 'unknown';
  phone: string | null;
  phone_verified: boolean;
  last_active: string | null;
  district: string | null;
}

/** What the analysis reads from a linked database: JSON-serialisable, so `--cache` can replay rule changes. */
export interface GapData {
  recs: DbRec[];
  ids: { source: string; source_id: string; kind: string; value: string; verified: boolean }[];
  held: { record_id: string; reason: string }[];
  strong: { source: string; source_id: string; key: string }[];
  blockedPhones: string[];
}

export async function loadGapData(db: Database): Promise<GapData> {
  const recs = await rows<DbRec>(
    db.db,
    sql`select id, source, source_id, customer_id, name, name_key, name_kind, surname, birthday::text as birthday,
      gender, phone, phone_verified, last_active::text as last_active, district from source_records`,
  );
  const ids = await rows<GapData['ids'][number]>(
    db.db,
    sql`with v as (
          select i.kind, i.value, i.source, i.source_id, i.verified, count(*) over (partition by i.kind, i.value) as c
          from identities i where i.quality = 'valid'
            and not exists (select 1 from blocked_values b where b.kind = i.kind and b.value = i.value)
        )
        select source, source_id, kind, value, verified from v
        where c <= case when kind = 'phone' then ${LINK_LIMITS.phoneRecords}::int else ${LINK_LIMITS.keyRecords}::int end`,
  );
  const held = await rows<GapData['held'][number]>(
    db.db,
    sql`select record_id, min(reason) as reason from held_links where status = 'open' group by record_id`,
  );
  const strong = await rows<GapData['strong'][number]>(
    db.db,
    sql`with v as (
          select i.kind, i.value, i.source, i.source_id, count(*) over (partition by i.kind, i.value) as c
          from identities i where i.quality = 'valid'
            and (i.kind in ('unionid','openid','pos_card','mall_account','wecom_id') or (i.kind = 'phone' and i.verified))
            and not exists (select 1 from blocked_values b where b.kind = i.kind and b.value = i.value)
        )
        select source, source_id, kind || ':' || value as key from v where c > 1 and c <= ${LINK_LIMITS.keyRecords}::int`,
  );
  const blockedPhones = (
    await rows<{ value: string }>(db.db, sql`select value from blocked_values where kind = 'phone'`)
  ).map((b) => b.value);
  return { recs, ids, held, strong, blockedPhones };
}

export interface GapReport {
  missed: number;
  truePairs: number;
  rows: GapRow[];
  /** the TypeScript rules replayed over the same records: record → cluster */
  replica: Map<string, string>;
  /** same-person pairs within the ceiling the replica leaves apart, by category */
  replicaRows: GapRow[];
  replicaMissed: number;
  /** pairs the replica joins and the database did not: how many are one person, examples of the rest */
  added: { right: number; wrong: number; wrongExamples: string[] };
}

/** Everything `analyzeGaps` needs, as JSON (maps as entry lists). */
export interface GapCache {
  data: GapData;
  truth: [string, string][];
  recordOf: [string, string][];
  components: [string, string][];
  today: string;
}

export async function explainRecallGaps(input: GapInput & { cache?: string }): Promise<GapReport> {
  const data = await loadGapData(input.db);
  if (input.cache) {
    const cache: GapCache = {
      data,
      truth: [...input.truth],
      recordOf: [...input.recordOf],
      components: [...input.components],
      today: input.today,
    };
    await writeFile(input.cache, JSON.stringify(cache));
  }
  return analyzeGaps(data, input);
}

type Ctx = Omit<GapInput, 'db'>;

export function analyzeGaps(data: GapData, input: Ctx): GapReport {
  const { truth, recordOf, components, today } = input;
  const examplesPer = input.examples ?? 0;
  const { recs, ids, held, strong: strongRows } = data;
  const blockedPhones = new Set(data.blockedPhones);
  const heldOf = new Map(held.map((h) => [h.record_id, h.reason]));

  const byTruth = new Map<string, Rec & { dbId: string }>();
  for (const r of recs) {
    const t = recordOf.get(`${r.source}\u0000${r.source_id}`);
    if (!t) continue;
    byTruth.set(t, {
      dbId: r.id,
      recordId: t,
      source: r.source,
      customerId: r.customer_id,
      name: r.name,
      nameKey: r.name_key,
      nameKind: r.name_kind,
      surname: r.surname,
      birthday: r.birthday,
      gender: r.gender,
      lastActive: r.last_active,
      phoneVerified: r.phone_verified,
      district: r.district,
      phone: r.phone,
    });
  }
  // identifiers per record, and records per value
  const keysOf = new Map<string, { key: string; kind: string; verified: boolean }[]>();
  const onValue = new Map<string, string[]>();
  for (const i of ids) {
    const t = recordOf.get(`${i.source}\u0000${i.source_id}`);
    if (!t) continue;
    const key = `${i.kind}:${i.value}`;
    push(keysOf, t, { key, kind: i.kind, verified: i.verified });
    push(onValue, key, t);
  }
  // the phone group each phone value forms, with names made comparable as the linker does
  const groupCache = new Map<string, (Rec & { dbId: string })[]>();
  const groupOf = (phone: string) => {
    let g = groupCache.get(phone);
    if (!g) {
      const members = (onValue.get(`phone:${phone}`) ?? []).flatMap((t) => {
        const r = byTruth.get(t);
        return r ? [r] : [];
      });
      g = comparableNames(members);
      groupCache.set(phone, g);
    }
    return g;
  };

  // the TypeScript rules replayed over the whole base (strong values, then every phone group), as the bulk SQL does
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while ((parent.get(root) ?? root) !== root) root = parent.get(root) as string;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const firstOnKey = new Map<string, string>();
  for (const s of strongRows) {
    const t = recordOf.get(`${s.source}\u0000${s.source_id}`);
    if (!t) continue;
    const first = firstOnKey.get(s.key);
    if (first) union(first, t);
    else firstOnKey.set(s.key, t);
  }
  const phones = new Map<string, Rec[]>();
  for (const r of byTruth.values()) {
    if (r.phone === null || blockedPhones.has(r.phone)) continue;
    push(phones, r.phone, r);
  }
  const replicaHeld = new Map<string, string>();
  for (const group of phones.values()) {
    const verdict = decidePhoneGroup(group, today);
    for (const cls of verdict.classes) for (const id of cls.slice(1)) union(cls[0], id);
    for (const h of verdict.holds) replicaHeld.set(h.recordId, h.reason);
  }
  const replica = new Map<string, string>();
  for (const t of byTruth.keys()) replica.set(t, find(t));

  const byPerson = new Map<string, string[]>();
  for (const [record, person] of truth) {
    push(byPerson, person, record);
  }
  let truePairs = 0;
  for (const records of byPerson.values()) truePairs += (records.length * (records.length - 1)) / 2;
  const dbCustomer = (r: Rec) => r.customerId;
  const dbHeld = (r: Rec & { dbId: string }) => heldOf.get(r.dbId);
  const replicaCustomer = (r: Rec) => replica.get(r.recordId) ?? r.recordId;
  const replicaHold = (r: Rec) => replicaHeld.get(r.recordId);

  function gaps(customerOf: (r: Rec) => string, heldAs: (r: Rec & { dbId: string }) => string | undefined) {
    const counts = new Map<string, number>();
    const examples = new Map<string, string[]>();
    let missed = 0;
    for (const records of byPerson.values()) {
      for (let i = 0; i < records.length; i++) {
        for (let j = i + 1; j < records.length; j++) {
          const a = byTruth.get(records[i]);
          const b = byTruth.get(records[j]);
          if (!a || !b || customerOf(a) === customerOf(b)) continue;
          const ca = components.get(a.recordId);
          if (ca === undefined || ca !== components.get(b.recordId)) continue;
          missed += 1;
          const category = categorize(a, b, heldAs);
          counts.set(category, (counts.get(category) ?? 0) + 1);
          const ex = examples.get(category) ?? [];
          if (ex.length < examplesPer) ex.push(describe(a, b, customerOf, heldAs));
          examples.set(category, ex);
        }
      }
    }
    const out = [...counts.entries()]
      .sort((x, y) => y[1] - x[1])
      .map(([category, pairs]) => ({
        category,
        pairs,
        share: pairs / truePairs,
        examples: examples.get(category) ?? [],
      }));
    return { missed, rows: out };
  }

  function categorize(
    a: Rec & { dbId: string },
    b: Rec & { dbId: string },
    heldAs: (r: Rec & { dbId: string }) => string | undefined,
  ): string {
    const ka = keysOf.get(a.recordId) ?? [];
    const kb = new Set((keysOf.get(b.recordId) ?? []).map((k) => k.key));
    const shared = ka.filter((k) => kb.has(k.key));
    const hold = heldAs(a) ?? heldAs(b);
    const h = hold ? `held:${hold}` : 'not held';
    if (shared.length === 0) return `chain only (no shared value) | ${h}`;
    const phone = shared.find((k) => k.kind === 'phone');
    if (!phone) return `shared ${shared.map((k) => k.kind).join('+')} | ${h}`;
    const g = groupOf(phone.key.slice('phone:'.length));
    const ga = g.find((r) => r.recordId === a.recordId) as Rec;
    const gb = g.find((r) => r.recordId === b.recordId) as Rec;
    const active = g.filter((r) => !isDormant(r, today));
    const names = new Set(active.filter((r) => r.nameKind === 'real').map((r) => r.name));
    const bds = new Set(active.filter((r) => r.birthday !== null).map((r) => r.birthday));
    const genders = new Set(active.filter((r) => r.gender !== 'unknown').map((r) => r.gender));
    const verified = g.filter((r) => r.phoneVerified).length;
    const dormant = isDormant(ga, today) || isDormant(gb, today);
    const shape =
      g.length > LINK_LIMITS.phoneRecords
        ? 'over limit'
        : names.size >= 2
          ? 'family phone'
          : names.size <= 1 && bds.size <= 1 && genders.size <= 1
            ? 'single'
            : bds.size > 1
              ? 'one name, birthdays differ'
              : 'one name, genders differ';
    const kinds = [ga, gb]
      .map((r) => `${kindOf(r)}(${r.source === 'miniprogram' ? 'mp' : r.source}${r.phoneVerified ? 'V' : ''})`)
      .sort()
      .join('/');
    const sameName =
      ga.nameKind === 'real' && gb.nameKind === 'real' ? (ga.name === gb.name ? 'same key' : 'keys differ') : '';
    const g2 = ga.gender !== 'unknown' && gb.gender !== 'unknown' && ga.gender !== gb.gender ? 'g≠' : '';
    const v = `${[ga, gb].filter((r) => r.phoneVerified).length}v/${verified}v`;
    return [`phone ${shape}`, dormant ? 'dormant' : 'active', kinds, sameName, bdRel(ga, gb), g2, v, h]
      .filter((s) => s !== '')
      .join(' | ');
  }

  function describe(
    a: Rec,
    b: Rec,
    customerOf: (r: Rec) => string,
    heldAs: (r: Rec & { dbId: string }) => string | undefined,
  ): string {
    const show = (r: Rec) =>
      `${r.recordId}${r.recordId === a.recordId || r.recordId === b.recordId ? '*' : ''} ${r.source} ${truth.get(r.recordId)} ${customerOf(r).slice(-6)} ${r.name ?? '-'}(${r.nameKind[0]}) ${r.birthday ?? '-'} ${r.gender[0]} ${r.phoneVerified ? 'V' : ''}${isDormant(r, today) ? 'D' : ''}${heldAs(r as Rec & { dbId: string }) ? 'H' : ''}`;
    const phone = a.phone !== null && a.phone === b.phone ? a.phone : (a.phone ?? b.phone);
    const g = phone ? (onValue.get(`phone:${phone}`) ?? []).flatMap((t) => byTruth.get(t) ?? []) : [a, b];
    const extra = [a, b].filter((r) => !g.includes(r as Rec & { dbId: string }));
    return [...g, ...extra].map(show).join('\n      ');
  }

  const before = gaps(dbCustomer, dbHeld);
  const after = gaps(replicaCustomer, replicaHold);
  // pairs the replica joins that the database did not
  const members = new Map<string, Rec[]>();
  for (const r of byTruth.values()) {
    const c = replicaCustomer(r);
    push(members, c, r);
  }
  const added = { right: 0, wrong: 0, wrongExamples: [] as string[] };
  for (const m of members.values()) {
    for (let i = 0; i < m.length; i++) {
      for (let j = i + 1; j < m.length; j++) {
        if (m[i].customerId === m[j].customerId) continue;
        if (truth.get(m[i].recordId) === truth.get(m[j].recordId)) added.right += 1;
        else {
          added.wrong += 1;
          if (added.wrongExamples.length < Math.max(examplesPer, 10)) {
            added.wrongExamples.push(describe(m[i], m[j], replicaCustomer, replicaHold));
          }
        }
      }
    }
  }
  return {
    missed: before.missed,
    truePairs,
    rows: before.rows,
    replica,
    replicaRows: after.rows,
    replicaMissed: after.missed,
    added,
  };
}

/** The categories folded to what decides them: the phone group's shape, dormancy, the kind of names, the birthdays. */
export function coarseGaps(list: readonly GapRow[]): { category: string; pairs: number; share: number }[] {
  const agg = new Map<string, { pairs: number; share: number }>();
  for (const row of list) {
    const p = row.category.split(' | ');
    let key: string;
    if (p[0].startsWith('chain')) key = 'chain only (joins when a linked neighbour does)';
    else if (p[0].startsWith('shared')) key = p[0];
    else {
      const names = p[2].includes('honorific') ? 'honorific' : p[2].includes('nick') ? 'nickname' : 'two names';
      const bd = p.find((x) => x.startsWith('bd')) ?? '';
      const birthdays = bd === 'bd=' ? 'same birthday' : bd === 'bd?' ? 'a birthday unknown' : 'birthdays differ';
      key = `${p[0].replace('phone ', '')}, ${p[1]}, ${names}, ${birthdays}`;
    }
    const a = agg.get(key) ?? { pairs: 0, share: 0 };
    agg.set(key, { pairs: a.pairs + row.pairs, share: a.share + row.share });
  }
  return [...agg].map(([category, a]) => ({ category, ...a })).sort((x, y) => y.pairs - x.pairs);
}

export function printRecallGaps(r: GapReport, top = 40): void {
  const table = (title: string, missed: number, list: GapRow[]) => {
    console.log(
      `  ${title}: ${missed} same-person pairs within the ceiling not linked (${((100 * missed) / r.truePairs).toFixed(2)} % of ${r.truePairs})`,
    );
    console.log('  by shape:');
    for (const row of coarseGaps(list).slice(0, 15)) {
      console.log(`  ${String(row.pairs).padStart(7)}  ${(100 * row.share).toFixed(2).padStart(5)} %  ${row.category}`);
    }
    console.log('  in detail:');
    for (const row of list.slice(0, top)) {
      console.log(`  ${String(row.pairs).padStart(7)}  ${(100 * row.share).toFixed(2).padStart(5)} %  ${row.category}`);
      for (const e of row.examples) console.log(`    e.g. ${e}`);
    }
  };
  table('recall gaps (database)', r.missed, r.rows);
  table('recall gaps (TypeScript rules replayed)', r.replicaMissed, r.replicaRows);
  console.log(`  replica joins ${r.added.right} more same-person pairs and ${r.added.wrong} pairs of two persons`);
  for (const e of r.added.wrongExamples) console.log(`    wrong: ${e}`);
}
