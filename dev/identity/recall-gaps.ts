/**
 * Why the linker misses pairs it could reach: every same-person pair inside the recall ceiling (joined by a chain of
 * usable identifiers) that the linker left in two customers, classified by what joins the two records and what the
 * rules saw on the way (a family phone, a nickname, a dormant card, conflicting birthdays, a hold…). Printed by
 * `npm run eval -- identity --explain`; a development aid, not part of the product.
 */
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

const bdRel = (a: Rec, b: Rec) =>
  a.birthday === null || b.birthday === null ? 'bd?' : a.birthday === b.birthday ? 'bd=' : 'bd≠';
const kindOf = (r: Rec) => (r.nameKind === 'real' ? 'name' : r.nameKind === 'honorific' ? 'honorific' : 'nick');

export async function explainRecallGaps(
  input: GapInput,
): Promise<{ missed: number; truePairs: number; rows: GapRow[]; replica: Map<string, string> }> {
  const { db, truth, recordOf, components, today } = input;
  const examplesPer = input.examples ?? 0;
  const recs = await rows<{
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
  }>(
    db.db,
    sql`select id, source, source_id, customer_id, name, name_key, name_kind, surname, birthday::text as birthday,
      gender, phone, phone_verified, last_active::text as last_active, district from source_records`,
  );
  const ids = await rows<{ source: string; source_id: string; kind: string; value: string; verified: boolean }>(
    db.db,
    sql`with v as (
          select i.kind, i.value, i.source, i.source_id, i.verified, count(*) over (partition by i.kind, i.value) as c
          from identities i where i.quality = 'valid'
            and not exists (select 1 from blocked_values b where b.kind = i.kind and b.value = i.value)
        )
        select source, source_id, kind, value, verified from v
        where c <= case when kind = 'phone' then ${LINK_LIMITS.phoneRecords}::int else ${LINK_LIMITS.keyRecords}::int end`,
  );
  const held = await rows<{ record_id: string; reason: string }>(
    db.db,
    sql`select record_id, min(reason) as reason from held_links where status = 'open' group by record_id`,
  );
  const heldOf = new Map(held.map((h) => [h.record_id, h.reason]));
  const strongRows = await rows<{ source: string; source_id: string; key: string }>(
    db.db,
    sql`with v as (
          select i.kind, i.value, i.source, i.source_id, count(*) over (partition by i.kind, i.value) as c
          from identities i where i.quality = 'valid'
            and (i.kind in ('unionid','openid','pos_card','mall_account','wecom_id') or (i.kind = 'phone' and i.verified))
            and not exists (select 1 from blocked_values b where b.kind = i.kind and b.value = i.value)
        )
        select source, source_id, kind || ':' || value as key from v where c > 1 and c <= ${LINK_LIMITS.keyRecords}::int`,
  );
  const blockedPhones = new Set(
    (await rows<{ value: string }>(db.db, sql`select value from blocked_values where kind = 'phone'`)).map(
      (b) => b.value,
    ),
  );

  const byTruth = new Map<string, Rec & { dbId: string }>();
  const dbToTruth = new Map<string, string>();
  for (const r of recs) {
    const t = recordOf.get(`${r.source}\u0000${r.source_id}`);
    if (!t) continue;
    dbToTruth.set(r.id, t);
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
    keysOf.set(t, [...(keysOf.get(t) ?? []), { key, kind: i.kind, verified: i.verified }]);
    onValue.set(key, [...(onValue.get(key) ?? []), t]);
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
    if (r.phone !== null && !blockedPhones.has(r.phone)) phones.set(r.phone, [...(phones.get(r.phone) ?? []), r]);
  }
  for (const group of phones.values()) {
    for (const cls of decidePhoneGroup(group, today).classes) for (const id of cls.slice(1)) union(cls[0], id);
  }
  const replica = new Map<string, string>();
  for (const t of byTruth.keys()) replica.set(t, find(t));

  const byPerson = new Map<string, string[]>();
  for (const [record, person] of truth) byPerson.set(person, [...(byPerson.get(person) ?? []), record]);
  const counts = new Map<string, number>();
  const examples = new Map<string, string[]>();
  let missed = 0;
  let truePairs = 0;
  for (const records of byPerson.values()) {
    for (let i = 0; i < records.length; i++) {
      for (let j = i + 1; j < records.length; j++) {
        truePairs += 1;
        const a = byTruth.get(records[i]);
        const b = byTruth.get(records[j]);
        if (!a || !b || a.customerId === b.customerId) continue;
        const ca = components.get(a.recordId);
        if (ca === undefined || ca !== components.get(b.recordId)) continue;
        missed += 1;
        const category = categorize(a, b);
        counts.set(category, (counts.get(category) ?? 0) + 1);
        const ex = examples.get(category) ?? [];
        if (ex.length < examplesPer) ex.push(describe(a, b));
        examples.set(category, ex);
      }
    }
  }

  function categorize(a: Rec & { dbId: string }, b: Rec & { dbId: string }): string {
    const ka = keysOf.get(a.recordId) ?? [];
    const kb = new Set((keysOf.get(b.recordId) ?? []).map((k) => k.key));
    const shared = ka.filter((k) => kb.has(k.key));
    const hold = heldOf.get(a.dbId) ?? heldOf.get(b.dbId);
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
    const kinds = [kindOf(ga), kindOf(gb)].sort().join('/');
    const sameName =
      ga.nameKind === 'real' && gb.nameKind === 'real' ? (ga.name === gb.name ? 'same key' : 'keys differ') : '';
    const g2 = ga.gender !== 'unknown' && gb.gender !== 'unknown' && ga.gender !== gb.gender ? 'g≠' : '';
    const v = `${[ga, gb].filter((r) => r.phoneVerified).length}v/${verified}v`;
    return [`phone ${shape}`, dormant ? 'dormant' : 'active', kinds, sameName, bdRel(ga, gb), g2, v, h]
      .filter((s) => s !== '')
      .join(' | ');
  }

  function describe(a: Rec, b: Rec): string {
    const show = (r: Rec) =>
      `${r.recordId}${r.recordId === a.recordId || r.recordId === b.recordId ? '*' : ''} ${r.source} ${truth.get(r.recordId)} ${r.customerId.slice(-6)} ${r.name ?? '-'}(${r.nameKind[0]}) ${r.birthday ?? '-'} ${r.gender[0]} ${r.phoneVerified ? 'V' : ''}${isDormant(r, today) ? 'D' : ''}${heldOf.has((r as Rec & { dbId: string }).dbId) ? 'H' : ''}`;
    const phone = a.phone !== null && a.phone === b.phone ? a.phone : (a.phone ?? b.phone);
    const g = phone ? (onValue.get(`phone:${phone}`) ?? []).flatMap((t) => byTruth.get(t) ?? []) : [a, b];
    const extra = [a, b].filter((r) => !g.includes(r as Rec & { dbId: string }));
    return [...g, ...extra].map(show).join('\n      ');
  }

  const out = [...counts.entries()]
    .sort((x, y) => y[1] - x[1])
    .map(([category, pairs]) => ({
      category,
      pairs,
      share: pairs / truePairs,
      examples: examples.get(category) ?? [],
    }));
  return { missed, truePairs, rows: out, replica };
}

export function printRecallGaps(r: { missed: number; truePairs: number; rows: GapRow[] }, top = 40): void {
  console.log(
    `  recall gaps: ${r.missed} same-person pairs within the ceiling not linked (${((100 * r.missed) / r.truePairs).toFixed(2)} % of ${r.truePairs})`,
  );
  for (const row of r.rows.slice(0, top)) {
    console.log(`  ${String(row.pairs).padStart(7)}  ${(100 * row.share).toFixed(2).padStart(5)} %  ${row.category}`);
    for (const e of row.examples) console.log(`    e.g. ${e}`);
  }
}
