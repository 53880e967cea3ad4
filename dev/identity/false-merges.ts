/**
 * Why the linker put two people in one customer: for every customer holding records of more than one true person,
 * the merges into it whose absorbed side holds none of the customer's main person (the one with most records there,
 * on a tie the survivor's own),
 * by the kinds of link that made them (`via` of a bulk merge, the rule of an incremental one), with examples of both
 * sides. Printed by `npm run eval -- identity --explain`; a development aid, not part of the product. A false merge
 * shows one person's medicines to another, so each one is worth reading.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../functions/adapters/db/client.js';
import { rows } from '../../functions/adapters/db/repos/identity.repo.js';

export interface FalseMergeInput {
  db: Database;
  truth: ReadonlyMap<string, string>;
  /** `${source}\0${sourceId}` → truth record id */
  recordOf: ReadonlyMap<string, string>;
  /** examples to keep per kind of link */
  examples?: number;
}

export interface FalseMergeRow {
  /** the kinds of link that made the merge, e.g. `bulk:phone` or `bulk:pos_card+verified_phone` */
  cause: string;
  merges: number;
  examples: string[];
}

interface RecRow {
  source: string;
  source_id: string;
  customer_id: string;
  origin_customer_id: string;
  name: string | null;
  birthday: string | null;
  gender: string;
  phone: string | null;
  phone_verified: boolean;
  last_active: string | null;
}

interface MergeRow {
  survivor_id: string;
  merged_id: string;
  rule: string;
  via: string[] | string | null;
}

const describe = (r: RecRow, person: string) =>
  `${r.source}:${r.source_id} ${r.name ?? '—'} ${r.birthday ?? '—'} ${r.gender} ${r.phone ?? '—'}${r.phone_verified ? '✓' : ''} ${r.last_active ?? '—'} [${person}]`;

export async function explainFalseMerges(input: FalseMergeInput): Promise<FalseMergeRow[]> {
  const records = await rows<RecRow>(
    input.db.db,
    sql`select source, source_id, customer_id, origin_customer_id, name, birthday::text as birthday, gender, phone,
          phone_verified, last_active::text as last_active
        from source_records`,
  );
  const personOf = (r: RecRow) => {
    const id = input.recordOf.get(`${r.source}\u0000${r.source_id}`);
    return id === undefined ? undefined : input.truth.get(id);
  };
  const byCustomer = new Map<string, RecRow[]>();
  for (const r of records) {
    const list = byCustomer.get(r.customer_id);
    if (list) list.push(r);
    else byCustomer.set(r.customer_id, [r]);
  }
  const mixed = new Map<string, { main: string; recs: RecRow[] }>();
  for (const [customer, recs] of byCustomer) {
    const counts = new Map<string, number>();
    for (const r of recs) {
      const p = personOf(r);
      if (p) counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    if (counts.size < 2) continue;
    // most records; on a tie the person of the survivor's own records (the customer was made for them)
    const own = new Set(recs.filter((r) => r.origin_customer_id === customer).map(personOf));
    const main = [...counts].sort(
      (a, b) => b[1] - a[1] || Number(own.has(b[0])) - Number(own.has(a[0])) || a[0].localeCompare(b[0]),
    )[0][0];
    mixed.set(customer, { main, recs });
  }
  if (mixed.size === 0) return [];
  const merges = await rows<MergeRow>(
    input.db.db,
    sql`select survivor_id, merged_id, rule, evidence -> 'via' as via from identity_merges
        where undone_at is null and survivor_id in (select jsonb_array_elements_text(${JSON.stringify([...mixed.keys()])}::jsonb))`,
  );
  const causes = new Map<string, FalseMergeRow>();
  for (const m of merges) {
    const c = mixed.get(m.survivor_id);
    if (!c) continue;
    const absorbed = c.recs.filter((r) => r.origin_customer_id === m.merged_id);
    if (absorbed.length === 0 || absorbed.some((r) => personOf(r) === c.main)) continue;
    const via = Array.isArray(m.via) ? m.via.join('+') : typeof m.via === 'string' ? m.via : '';
    const cause = `${m.rule}${via ? `:${via}` : ''}`;
    const row = causes.get(cause) ?? { cause, merges: 0, examples: [] };
    row.merges += 1;
    if (row.examples.length < (input.examples ?? 0)) {
      const kept = c.recs.filter((r) => r.origin_customer_id !== m.merged_id);
      row.examples.push(
        [
          ...kept.map((r) => `    kept     ${describe(r, personOf(r) ?? '?')}`),
          ...absorbed.map((r) => `    absorbed ${describe(r, personOf(r) ?? '?')}`),
        ].join('\n'),
      );
    }
    causes.set(cause, row);
  }
  return [...causes.values()].sort((a, b) => b.merges - a.merges || a.cause.localeCompare(b.cause));
}

export function printFalseMerges(rows: readonly FalseMergeRow[]): void {
  const total = rows.reduce((n, r) => n + r.merges, 0);
  console.log(`  merges that joined another person (absorbed side without the customer's main person): ${total}`);
  for (const r of rows) {
    console.log(`    ${r.cause}: ${r.merges}`);
    for (const e of r.examples) console.log(`${e}\n`);
  }
}
