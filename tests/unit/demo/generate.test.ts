import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PRODUCTS_BY_SKU } from '../../../dev/demo/catalogue.js';
import { DEMO_STAFF, DEMO_STORES } from '../../../dev/demo/fixtures.js';
import {
  type DemoChunk,
  type DemoData,
  generateDemo,
  IDENTITY_TRUTH_COLUMNS,
  normalisePhone,
  PLACEHOLDER_PHONES,
  writeIdentityTruthCsv,
} from '../../../dev/demo/generate.js';

const NOW = new Date('2025-06-29T16:00:00Z'); // midnight 2025-06-30 in Shanghai
const DAY_MS = 86_400_000;

/** Hash of the rows, table by table, so chunk boundaries do not matter. */
function hashOf(data: DemoData): string {
  const h = createHash('sha256');
  for (const [table, rows] of Object.entries(collect(data))) h.update(table).update(JSON.stringify(rows));
  return h.digest('hex');
}

function collect(data: DemoData): Omit<DemoChunk, 'index'> {
  const all: Omit<DemoChunk, 'index'> = {
    persons: [],
    records: [],
    customers: [],
    sourceRecords: [],
    identities: [],
    orders: [],
    orderLines: [],
  };
  for (const c of data.chunks()) {
    all.persons.push(...c.persons);
    all.records.push(...c.records);
    all.customers.push(...c.customers);
    all.identities.push(...c.identities);
    all.sourceRecords.push(...c.sourceRecords);
    all.orders.push(...c.orders);
    all.orderLines.push(...c.orderLines);
  }
  return all;
}

const small = generateDemo({ seed: 42, members: 2000, now: NOW });
const all = collect(small);

describe('fixtures', () => {
  it('starts with the store and staff the demo flows rely on', () => {
    expect(DEMO_STORES[0]).toMatchObject({
      id: 'sto_001',
      code: 'HZ001',
      name: '文三路店',
      district: '西湖区',
      city: '杭州市',
      regionId: 'reg_hz',
    });
    expect(DEMO_STORES.filter((s) => s.regionId === 'reg_hz').length).toBeGreaterThanOrEqual(12);
    expect(DEMO_STORES.filter((s) => s.regionId === 'reg_nb').length).toBe(4);
    expect(DEMO_STAFF.find((s) => s.id === 'stf_ck02')?.storeId).toBe(DEMO_STORES[1].id);
  });
});

describe('generateDemo determinism', () => {
  it('gives identical output for the same seed, whatever the chunk size', () => {
    const a = hashOf(generateDemo({ seed: 42, members: 2000, now: NOW }));
    expect(hashOf(small)).toBe(a);
    expect(hashOf(generateDemo({ seed: 42, members: 2000, now: NOW, chunkSize: 333 }))).toBe(a);
  });

  it('gives different output for a different seed', () => {
    expect(hashOf(generateDemo({ seed: 43, members: 2000, now: NOW }))).not.toBe(hashOf(small));
  });

  it('makes exactly the requested number of persons', () => {
    expect(all.persons).toHaveLength(2000);
  });
});

describe('generateDemo ground truth', () => {
  it('gives every record a known person, and every row a record', () => {
    const personIds = new Set(all.persons.map((p) => p.personId));
    expect(all.records.every((r) => personIds.has(r.personId))).toBe(true);
    const recordIds = new Set(all.records.map((r) => r.recordId));
    expect(all.customers.map((c) => c.id).sort()).toEqual([...recordIds].sort());
    expect(all.identities.every((i) => recordIds.has(i.customerId))).toBe(true);
    expect(all.orders.every((o) => recordIds.has(o.customerId))).toBe(true);
    const orderIds = new Set(all.orders.map((o) => o.id));
    expect(orderIds.size).toBe(all.orders.length);
    expect(all.orderLines.every((l) => orderIds.has(l.orderId))).toBe(true);
    expect(new Set(all.identities.map((i) => i.id)).size).toBe(all.identities.length);
    // a naive import: more customer rows than persons, several sources
    expect(all.customers.length).toBeGreaterThan(all.persons.length * 1.3);
    expect(new Set(all.records.map((r) => r.source))).toEqual(new Set(['pos', 'mall', 'miniprogram', 'wecom']));
  });

  it('keeps order totals consistent with their lines', () => {
    const sums = new Map<string, number>();
    for (const l of all.orderLines) {
      expect(l.amountFen).toBe(l.quantity * l.unitPriceFen);
      expect(PRODUCTS_BY_SKU.get(l.sku)?.id).toBe(l.productId);
      sums.set(l.orderId, (sums.get(l.orderId) ?? 0) + l.amountFen);
    }
    for (const o of all.orders) {
      expect(o.totalFen).toBe(sums.get(o.id));
      expect(o.paidFen).toBe(o.totalFen - o.discountFen);
      expect(o.discountFen).toBeGreaterThanOrEqual(0);
      expect(Date.parse(o.orderedAt)).toBeLessThan(NOW.getTime());
    }
  });

  it('shares family phones between persons with different names and birthdays', () => {
    const personById = new Map(all.persons.map((p) => [p.personId, p]));
    const byPhone = new Map<string, Set<string>>();
    for (const r of all.records) {
      if (r.source !== 'pos' || !r.phone) continue;
      const phone = normalisePhone(r.phone);
      if (PLACEHOLDER_PHONES.includes(phone)) continue;
      byPhone.set(phone, (byPhone.get(phone) ?? new Set()).add(r.personId));
    }
    const families = [...byPhone.values()]
      .map((ids) => [...ids].map((id) => personById.get(id)!))
      .filter((ps) => ps.length >= 2 && new Set(ps.map((p) => p.householdId)).size === 1);
    expect(families.length).toBeGreaterThan(20);
    for (const ps of families) {
      expect(new Set(ps.map((p) => p.name)).size).toBe(ps.length);
      expect(new Set(ps.map((p) => p.birthday)).size).toBe(ps.length);
    }
  });

  it('contains placeholder phones, recycled numbers and every noisy phone format', () => {
    const raw = all.records.map((r) => r.phone).filter((p): p is string => p !== null);
    expect(raw.some((p) => PLACEHOLDER_PHONES.includes(p))).toBe(true);
    expect(raw.some((p) => p.startsWith('+86'))).toBe(true);
    expect(raw.some((p) => p.startsWith('0086'))).toBe(true);
    expect(raw.some((p) => /^\d{3} \d{4} \d{4}$/.test(p))).toBe(true);
    expect(raw.some((p) => /^\d{3}-\d{4}-\d{4}$/.test(p))).toBe(true);
    expect(raw.some((p) => /[０-９]/.test(p))).toBe(true);
    expect(normalisePhone('+86 138 1234 5678')).toBe('13812345678');
    expect(normalisePhone('0086-13812345678')).toBe('13812345678');
    expect(normalisePhone('１３８１２３４５６７８')).toBe('13812345678');
    // recycled: a card dormant for years carries a number that another household now uses
    const personById = new Map(all.persons.map((p) => [p.personId, p]));
    const ownerOf = new Map(all.persons.filter((p) => p.phone).map((p) => [p.phone!, p]));
    const recycled = all.records.filter((r) => {
      if (!r.phone || Date.parse(r.lastActive) > NOW.getTime() - 3 * 365 * DAY_MS) return false;
      const owner = ownerOf.get(normalisePhone(r.phone));
      return owner !== undefined && owner.householdId !== personById.get(r.personId)!.householdId;
    });
    expect(recycled.length).toBeGreaterThan(0);
    // verified phones are canonical: WeChat hands them over already normalised
    expect(all.records.filter((r) => r.phoneVerified).every((r) => r.phone === normalisePhone(r.phone!))).toBe(true);
  });

  it('follows each chronic behaviour: lapsed patients stopped refilling more than 30 days ago', () => {
    const personOfCustomer = new Map(all.records.map((r) => [r.recordId, r.personId]));
    const orderById = new Map(all.orders.map((o) => [o.id, o]));
    const lastChronic = new Map<string, number>();
    for (const l of all.orderLines) {
      if (PRODUCTS_BY_SKU.get(l.sku)?.kind !== 'chronic') continue;
      const order = orderById.get(l.orderId)!;
      const person = personOfCustomer.get(order.customerId)!;
      lastChronic.set(person, Math.max(lastChronic.get(person) ?? 0, Date.parse(order.orderedAt)));
    }
    const chronic = all.persons.filter((p) => p.profile === 'chronic');
    const lapsed = chronic.filter((p) => p.behaviour === 'lapsed');
    const regular = chronic.filter((p) => p.behaviour === 'regular');
    expect(lapsed.length).toBeGreaterThan(10);
    expect(chronic.some((p) => p.behaviour === 'irregular')).toBe(true);
    for (const p of lapsed) {
      const last = lastChronic.get(p.personId);
      if (last !== undefined) expect(last).toBeLessThan(NOW.getTime() - 30 * DAY_MS);
      expect(p.lapsedSince).not.toBeNull();
    }
    // most regular patients have bought a refill within the last three months
    const recent = regular.filter((p) => (lastChronic.get(p.personId) ?? 0) > NOW.getTime() - 90 * DAY_MS);
    expect(recent.length / regular.length).toBeGreaterThan(0.7);
    // acute buyers never get chronic refills from the generator
    const acute = all.persons.filter((p) => p.profile === 'acute');
    expect(acute.every((p) => p.behaviour === null && !lastChronic.has(p.personId))).toBe(true);
  });
});

describe('writeIdentityTruthCsv', () => {
  it('writes the identity eval format, one row per source record', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medloop-demo-'));
    try {
      const file = join(dir, 'truth.csv');
      const data = generateDemo({ seed: 7, members: 300, now: NOW });
      const rows = await writeIdentityTruthCsv(data, file);
      const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
      expect(lines[0]).toBe(
        'record_id,source,source_id,name,birthday,gender,phone,phone_verified,email,card_no,openid,unionid,wecom_id,mall_account,address,store_code,last_active,person_id',
      );
      expect(lines[0].split(',')).toEqual([...IDENTITY_TRUTH_COLUMNS]);
      expect(lines.length - 1).toBe(rows);
      expect(rows).toBe(collect(data).records.length);
      expect(lines[1]).toMatch(/^cus_\w+,(pos|mall|miniprogram|wecom),/);
      expect(lines[1]).toMatch(/,psn_\d+$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
