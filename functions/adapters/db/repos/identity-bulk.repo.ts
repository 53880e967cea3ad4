/**
 * The bulk linker: the whole base re-linked by set-based SQL, for the initial migration and the benchmark. It is
 * `decidePhoneGroup` and `decideLink` (shared/identity/link.rules.ts) written as GROUP BYs, then a union-find by
 * min-label propagation over star-shaped edges (every group's records point at the group's smallest record, so
 * labels settle in a few rounds), then one set-based merge per losing customer, logged for undo like any merge.
 *
 * Runs in ONE transaction (temp tables live in its session; on Neon a pooled connection is held for it).
 * Existing merges are respected (records of one customer stay together); it never splits anything.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Tx } from '../client.js';
import { dormantOnSql, lastActiveFromSql, lastSalesSql, rows } from './identity.repo.js';
import { bulkMerge, REBUILD_SHARE, VIAS } from './identity-bulk-merge.repo.js';

export interface BulkLinkOptions {
  today: string;
  now: Date;
  /** job id body: merges, holds and suggestions get ids `<prefix>_<job><seq>` */
  job: string;
  actorId: string;
  dormantDays: number;
  phoneLimit: number;
  keyLimit: number;
  storePhones: readonly string[];
  onProgress?: (step: string) => void;
  /** see BulkMergeOptions.rebuildShare */
  rebuildShare?: number;
  /** how to read every card's last sale (lastSalesSql); by default measured on orders (lastSalesPlan) */
  lastSales?: 'index' | 'scan';
}

export interface BulkLinkResult {
  records: number;
  edges: number;
  rounds: number;
  merges: number;
  holds: number;
  suggestions: number;
  /**
   * the records of components that would join two records HQ keeps apart (identity_separations): the bulk job leaves
   * them with their customers as they are, and the caller links them one by one with the incremental linker, which
   * knows how to keep them apart (keepApart). None on an initial migration.
   */
  apart: string[];
  /** how every card's last sale was read (lastSalesSql's plan) */
  lastSales: 'index' | 'scan';
  /** seconds spent in each step, in order */
  steps: Record<string, number>;
}

/**
 * `count(distinct x) filter (where …)` capped at 2: every count of distinct values below is asked only for none, one
 * or more than one. Without DISTINCT the GROUP BY can hash instead of sorting, and no group sorts its values: none
 * iff the smallest is null, one iff the smallest equals the largest (equality of text is exact, the collation
 * aside). Two aggregates per count, not three (a repeated aggregate is computed once).
 */
function upTo2(x: string, where = 'true'): SQL {
  const f = `filter (where ${where})`;
  return sql.raw(`(case when min(${x}) ${f} is null then 0 when min(${x}) ${f} = max(${x}) ${f} then 1 else 2 end)`);
}

/**
 * The share of orders' pages that must be all-visible for lastSalesSql to read the sales index alone. Measured on a
 * synthetic 10^6 (1.82 million records, 8.5 million orders; the statement that reads them, on the shared 2-core dev
 * machine): vacuumed, the index 8.6 s, the scan 11.8 s, a probe per record 18.5 s (medians of 8, 5 and 5 runs);
 * loaded in another order than the cards' and not vacuumed, the index 44-47 s, the scan 14-19 s, the probes 22-25 s
 * (two runs each). Fetching every heap row costs the index about 36 s there, so it wins only above about 90 %.
 */
export const INDEX_ONLY_SHARE = 0.9;

/**
 * The index plan of lastSalesSql when orders' pages are nearly all all-visible: as of its last vacuum
 * (pg_class.relallvisible) against its size now, so that pages added since count as not visible (a large order import
 * just before the job, not vacuumed yet). An empty table reads either way in no time.
 */
async function lastSalesPlan(tx: Tx): Promise<'index' | 'scan'> {
  const [r] = await rows<{ visible: number | string }>(
    tx,
    sql`select coalesce(c.relallvisible::float8 / nullif(pg_relation_size(c.oid) / current_setting('block_size')::int, 0), 1)
        as visible
      from pg_class c where c.oid = 'orders'::regclass`,
  );
  return Number(r?.visible ?? 1) >= INDEX_ONLY_SHARE ? 'index' : 'scan';
}

async function count(tx: Tx, query: ReturnType<typeof sql>): Promise<number> {
  const r = await rows<{ n: number }>(tx, query);
  return Number(r[0]?.n ?? 0);
}

/**
 * Drops held_links' foreign keys to source_records and customers when the holds about to be inserted (lk_hc) are at
 * least `share` of the table's rows after the insert; returns what adds them again (each validated by one join,
 * with fresh statistics on held_links so that join probes the referenced keys for the new rows).
 */
async function setHeldKeysAside(tx: Tx, share: number): Promise<() => Promise<void>> {
  const [size] = await rows<{ adding: number; existing: number }>(
    tx,
    sql`select (select count(*) from lk_hc)::int as adding,
      (select greatest(reltuples, 0)::bigint from pg_class where oid = 'held_links'::regclass) as existing`,
  );
  const adding = Number(size?.adding ?? 0);
  if (adding === 0 || adding < share * (Number(size.existing) + adding)) return async () => undefined;
  const keys = await rows<{ name: string; def: string }>(
    tx,
    sql`select c.conname as name, pg_get_constraintdef(c.oid) as def from pg_constraint c
      where c.conrelid = 'held_links'::regclass and c.contype = 'f' and c.confrelid in ('source_records'::regclass, 'customers'::regclass)
      order by c.conname`,
  );
  // the referenced tables first, in the order the merge phase locks them, then held_links
  await tx.execute(sql`lock table source_records, customers in share row exclusive mode`);
  await tx.execute(sql`lock table held_links in access exclusive mode`);
  for (const k of keys) await tx.execute(sql`alter table held_links drop constraint ${sql.identifier(k.name)}`);
  return async () => {
    await tx.execute(sql`analyze held_links`);
    for (const k of keys)
      await tx.execute(sql`alter table held_links add constraint ${sql.identifier(k.name)} ${sql.raw(k.def)}`);
  };
}

export async function bulkLink(tx: Tx, o: BulkLinkOptions): Promise<BulkLinkResult> {
  const now = o.now.toISOString();
  const steps: Record<string, number> = {};
  let current = '';
  let since = performance.now();
  const step = (s: string) => {
    const t = performance.now();
    if (current) steps[current] = (steps[current] ?? 0) + (t - since) / 1000;
    current = s;
    since = t;
    if (s) o.onProgress?.(s);
  };
  await tx.execute(sql`insert into blocked_values (kind, value, reason, note)
    select 'phone', v, 'store_phone', 'a store counter phone' from jsonb_array_elements_text(${JSON.stringify(o.storePhones)}::jsonb) s(v)
    on conflict do nothing`);

  step('records');
  // n numbers the records in the order the scan reads them: nothing depends on that order (roots and labels are
  // each group's and component's smallest n, and only sets of records come out of them; merge and hold ids are
  // numbered by customer and record ids), and it spares sorting the records by their text ids
  // dormant as the incremental linker reads it (dormantSql: the later of the date sent and the card's last sale), for
  // records with a phone (dormancy is a phone group's question). Every card's last sale comes from one pass over the
  // sales, hashed and joined on the card's key (lastSalesSql), not a probe per record: at 10^5 members with their
  // 824,381 orders this statement took 1.56 s with the probes, 0.73 s reading the index, 1.06 s scanning, 0.45 s
  // reading no sales at all (medians of 7); at 10^6, INDEX_ONLY_SHARE
  const lastSales = o.lastSales ?? (await lastSalesPlan(tx));
  await tx.execute(sql`create temp table lk_rec on commit drop as
    select (row_number() over ())::int as n, r.id, r.source, r.source_id, r.customer_id, r.store_id,
      r.name, r.name_key, r.name_kind, r.surname, r.birthday, r.gender, r.phone,
      (r.phone is not null and ${dormantOnSql(lastActiveFromSql('r', 'ls'), o.today, o.dormantDays)}) as dormant
    from source_records r left join (${lastSalesSql(lastSales)}) ls on ls.source = r.source and ls.member_source_id = r.source_id`);
  const records = await count(tx, sql`select count(*)::int as n from lk_rec`);
  await tx.execute(sql`analyze lk_rec`);
  await tx.execute(
    sql`create temp table lk_edge (a int not null, b int not null, via text not null check (via in (${sql.raw(
      VIAS.map((v) => `'${v}'`).join(', '),
    )}))) on commit drop`,
  );

  step('strong identifiers');
  const strong = sql`i.quality = 'valid'
    and (i.kind in ('unionid','openid','pos_card','mall_account','wecom_id') or (i.kind = 'phone' and i.verified))`;
  // only a value more than one identity carries can link: find those first (a few percent), then their records
  await tx.execute(sql`create temp table lk_kv on commit drop as
    select i.kind, i.value from identities i
    where ${strong} and not exists (select 1 from blocked_values b where b.kind = i.kind and b.value = i.value)
    group by i.kind, i.value having count(*) > 1`);
  await tx.execute(sql`create temp table lk_key on commit drop as
    select i.kind, i.value, r.n
    from identities i join lk_kv v on v.kind = i.kind and v.value = i.value
      join lk_rec r on r.source = i.source and r.source_id = i.source_id
    where ${strong}`);
  await tx.execute(sql`analyze lk_key`);
  await tx.execute(sql`create temp table lk_kg on commit drop as
    select kind, value, min(n) as root, count(*)::int as c from lk_key group by kind, value having count(*) > 1`);
  await tx.execute(sql`analyze lk_kg`);
  // one bad value must not snowball: over the limit it links nothing, now and for the incremental linker later
  await tx.execute(sql`insert into blocked_values (kind, value, reason, note)
    select kind, value, 'cluster_limit', 'on ' || c || ' records' from lk_kg
    where c > ${o.keyLimit}::int
    on conflict do nothing`);
  await tx.execute(sql`insert into lk_edge (a, b, via)
    select g.root, k.n, case when k.kind = 'phone' then 'verified_phone' else k.kind end
    from lk_key k join lk_kg g on g.kind = k.kind and g.value = k.value
    where k.n <> g.root and g.c <= ${o.keyLimit}::int`);

  step('phone groups');
  // phone and name only ever compare equal below (and min(name) is taken only where one name is left), so they get
  // the "C" collation here: the same equality (collations are deterministic), but the many sorts and merge joins on
  // them compare bytes, with abbreviated keys, instead of calling strcoll per comparison (a bigint phone measured
  // no faster at 10^6: the groups hash)
  await tx.execute(sql`create temp table lk_ph on commit drop as
    select r.n, r.phone collate "C" as phone, coalesce(r.name_key, r.name) collate "C" as name, r.name as raw_name, r.name_kind, r.surname, r.birthday,
      r.gender, r.dormant from lk_rec r
    where r.phone is not null and not exists (select 1 from blocked_values b where b.kind = 'phone' and b.value = r.phone)`);
  // temp tables get no statistics unless analyzed: without them the self-joins below plan as nested loops (quadratic)
  await tx.execute(sql`analyze lk_ph`);
  // canonicalizeNames: a real name with a character dropped, beside exactly one fuller name on the phone, is that name
  // (the pairs a name and a fuller one on its phone, once: a fuller name is maximal iff no pair extends it)
  await tx.execute(sql`with e as materialized (
      select a.n as a, b.n as b, b.name as fuller from lk_ph a join lk_ph b on b.phone = a.phone and b.name_kind = 'real'
        and length(b.raw_name) > length(a.raw_name) and left(b.raw_name, length(a.raw_name)) = a.raw_name
      where a.name_kind = 'real'
    ), one as (
      select e.a as n, min(e.fuller) as fuller from e where not exists (select 1 from e x where x.a = e.b)
      group by e.a having count(distinct e.fuller) = 1
    )
    update lk_ph p set name = one.fuller from one where one.n = p.n`);
  await tx.execute(sql`create temp table lk_pg on commit drop as
    select phone, count(*)::int as c,
      ${upTo2('name', "name_kind = 'real' and not dormant")} as nn,
      ${upTo2('birthday', 'not dormant')} as nb,
      min(name) filter (where name_kind = 'real' and not dormant) as rn,
      min(surname) filter (where name_kind = 'real' and not dormant) as rs,
      min(birthday) filter (where not dormant) as gb,
      min(gender) filter (where gender <> 'unknown' and not dormant) as gg,
      ${upTo2('surname', "name_kind = 'honorific' and not dormant")} as nh,
      ${upTo2('gender', "gender <> 'unknown' and not dormant")} as ng,
      -- what corroboration asks of the active cards (below), when every one of them fits: a real name (1) or not (2),
      -- with a birthday (4, 8), with a gender (16, 32); only a 王先生 (64) can fail to fit
      bit_or((case when name_kind = 'real' then 1 else 2 end)
        * (1 + case when birthday is not null then 4 else 0 end + case when gender <> 'unknown' then 16 else 0 end)
        + case when name_kind = 'honorific' then 64 else 0 end) filter (where not dormant) as act
    from lk_ph group by phone having count(*) > 1`);
  await tx.execute(sql`analyze lk_pg`);
  // per record: does decidePhoneGroup join it, and into which class
  await tx.execute(sql`create temp table lk_pm on commit drop as
    with p as (
      select p.*, g.c, g.nn, g.nb, g.rn, g.gb, g.gg, coalesce(g.act & 64 <> 0, false) as hon, g.act, (g.nn <= 1 and g.nb <= 1 and g.ng <= 1) as single,
        (p.name_kind <> 'honorific' or case when g.nn = 1 then coalesce(p.surname = g.rs, false) else g.nh = 1 end) as fits
      from lk_ph p join lk_pg g on g.phone = p.phone
    ), q as (
      -- a dormant card joins its own real name, or the exact birthday of the phone's person
      select p.*, coalesce(single and fits and (not dormant
          or (name_kind = 'real' and name = rn and (birthday is null or gb is null or birthday = gb))
          or (birthday = gb and (gender = 'unknown' or gg is null or gender = gg)
            and (name_kind <> 'real' or rn is null or name = rn))), false) as joins
      from p
    ), c as (
      -- the active fitting cards of a phone with a 王先生 among its active cards (elsewhere all of them: g.act)
      select phone,
        bool_or(name_kind = 'real') as r_any, bool_or(name_kind <> 'real') as u_any,
        bool_or(name_kind = 'real' and birthday is not null) as r_bd,
        bool_or(name_kind <> 'real' and birthday is not null) as u_bd,
        bool_or(name_kind = 'real' and gender <> 'unknown') as r_g,
        bool_or(name_kind <> 'real' and gender <> 'unknown') as u_g
      from p where hon and not dormant and fits group by phone
    )
    select q.n, q.phone, q.name, q.raw_name, q.name_kind, q.surname, q.birthday, q.gender, q.dormant, q.c, q.nn, q.nb,
      q.rn, q.gb, q.gg, q.single, q.fits, q.joins,
      case when q.hon then coalesce(not (c.r_any and c.u_any) or (c.r_bd and c.u_bd) or (c.r_g and c.u_g), true)
        else coalesce(q.act & 3 <> 3 or q.act & 12 = 12 or q.act & 48 = 48, true) end as corroborated
    from q left join c on c.phone = q.phone`);
  await tx.execute(sql`analyze lk_pm`);
  // per (phone, real name): its distinct birthdays (a name whose cards disagree on the birthday joins nothing), and
  // the two classes a name can make: 'r' (every card of the name on a phone of several people) and 'd' (dormant
  // cards of the name left out of a phone's one person), each with its smallest record and size, 'd' with its
  // birthdays; a phone is single or not as a whole, so each name group holds one kind
  await tx.execute(sql`create temp table lk_nb on commit drop as
    select phone, name, ${upTo2('birthday')} as bd, min(surname) as surname,
      ${upTo2('gender', "gender <> 'unknown'")} as ng,
      min(gender) filter (where gender <> 'unknown') as gender,
      min(n) filter (where not single) as r_root, count(*) filter (where not single)::int as r_size,
      min(n) filter (where single and not joins and dormant) as d_root,
      count(*) filter (where single and not joins and dormant)::int as d_size,
      ${upTo2('birthday', 'single and not joins and dormant')} as d_bd
    from lk_pm where name_kind = 'real' group by phone, name`);
  await tx.execute(sql`analyze lk_nb`);
  // not one name on the phone: a record without a real name born on the very day of exactly one named person there
  // (whose cards agree on that birthday, no other gender, 王先生's surname) is that person's: it joins that name's
  // 'r' class, whose smallest record and size it changes (root and size here, the same for every record bridged to
  // the name)
  await tx.execute(sql`create temp table lk_bb on commit drop as
    with d as (select distinct phone, name, birthday from lk_pm where name_kind = 'real' and birthday is not null),
    b as (
      select m.n, min(m.phone) as phone, min(d.name) as name
      from lk_pm m join d on d.phone = m.phone and d.birthday = m.birthday
        join lk_nb nb on nb.phone = d.phone and nb.name = d.name
      where not m.single and m.c <= ${o.phoneLimit}::int and m.name_kind <> 'real' and m.birthday is not null
      group by m.n
      having count(*) = 1 and bool_and(nb.bd = 1
        and (m.gender = 'unknown' or nb.ng = 0 or (nb.ng = 1 and nb.gender = m.gender))
        and (m.name_kind <> 'honorific' or nb.surname = m.surname))
    )
    select b.n, b.phone, b.name, least(nb.r_root, min(b.n) over w) as root, (nb.r_size + count(*) over w)::int as size
    from b join lk_nb nb on nb.phone = b.phone and nb.name = b.name
    window w as (partition by b.phone, b.name)`);
  await tx.execute(sql`analyze lk_bb`);
  // the named cards' side of those classes: the same smallest record and size (a few thousand names at 10^6)
  await tx.execute(sql`update lk_nb nb set r_root = b.root, r_size = b.size
    from (select distinct phone, name, root, size from lk_bb) b where nb.phone = b.phone and nb.name = b.name`);
  // per single phone: its one person ('x': the joining cards, corroborated or named) and, apart, the joining cards
  // without a real name when uncorroborated ('u')
  await tx.execute(sql`create temp table lk_xu on commit drop as
    select phone,
      min(n) filter (where corroborated or name_kind = 'real') as x_root,
      count(*) filter (where corroborated or name_kind = 'real')::int as x_size,
      min(n) filter (where not (corroborated or name_kind = 'real')) as u_root,
      count(*) filter (where not (corroborated or name_kind = 'real'))::int as u_size
    from lk_pm where c <= ${o.phoneLimit}::int and single and joins group by phone`);
  await tx.execute(sql`analyze lk_xu`);
  // each record's class (none over the phone limit), its smallest record and size; classes of one record link
  // nothing, nor a name whose cards disagree on the birthday. One pass writes the edges and the holds
  await tx.execute(
    sql`create temp table lk_hold (n int not null, phone text collate "C" not null, reason text not null) on commit drop`,
  );
  await tx.execute(sql`with k as (
      select m.n, m.phone, m.name_kind, m.single, m.fits, m.dormant, m.corroborated, m.c, m.nn, m.nb, nb.bd as nbd,
        case
          when m.c > ${o.phoneLimit}::int then null
          when m.single and m.joins and (m.corroborated or m.name_kind = 'real') then 'x'
          when m.single and m.joins then 'u'
          when m.single and m.dormant and m.name_kind = 'real' then case when m.name is not null then 'd' end
          when not m.single and m.name_kind = 'real' then case when m.name is not null then 'r' end
          when not m.single and bb.n is not null then 'b'
        end as kind,
        case
          when m.c > ${o.phoneLimit}::int then null
          when m.single and m.joins and (m.corroborated or m.name_kind = 'real') then xu.x_root
          when m.single and m.joins then xu.u_root
          when m.single and m.dormant and m.name_kind = 'real' then nb.d_root
          when not m.single and m.name_kind = 'real' then nb.r_root
          when not m.single and bb.n is not null then bb.root
        end as root,
        case
          when m.c > ${o.phoneLimit}::int then false
          when m.single and m.joins and (m.corroborated or m.name_kind = 'real') then xu.x_size > 1
          when m.single and m.joins then xu.u_size > 1
          when m.single and m.dormant and m.name_kind = 'real' then m.name is not null and nb.d_size > 1 and nb.d_bd <= 1
          when not m.single and m.name_kind = 'real' then m.name is not null and nb.r_size > 1 and nb.bd <= 1
          when not m.single and bb.n is not null then bb.size > 1
          else false
        end as linked
      from lk_pm m left join lk_nb nb on nb.phone = m.phone and nb.name = m.name
        left join lk_xu xu on xu.phone = m.phone
        left join lk_bb bb on bb.n = m.n
    ), l as materialized (
      select k.*, coalesce(k.linked, false) as cls from k
    ), e as (
      insert into lk_edge (a, b, via) select root, n, 'phone' from l where cls and n <> root
    )
    -- a record joined only to dormant cards of its own name ('d') is held as before; one joined by its birthday is not
    insert into lk_hold (n, phone, reason)
    select n, phone, case
        when c > ${o.phoneLimit}::int then 'cluster_limit'
        when dormant and (not cls or kind = 'd') then 'dormant_card'
        when single and not fits then 'name_conflict'
        when single then 'ambiguous'
        when name_kind = 'real' and nbd > 1 then 'birthday_conflict'
        when nn >= 2 then 'family_phone'
        when nb > 1 then 'birthday_conflict'
        else 'ambiguous' end
    from l
    where c > ${o.phoneLimit}::int or (not single and not (name_kind <> 'real' and cls)) or not cls or kind = 'd'
      or not corroborated`);
  await tx.execute(sql`analyze lk_hold`);
  step('existing customers');
  // customers with more than one record, found on source_records itself (the same rows as lk_rec, in this
  // transaction): on a vacuumed table an index-only scan of its customer index, already in customer order, instead of
  // hashing every record's text id (an initial migration has none: each record came with its own customer)
  await tx.execute(sql`with c as (select customer_id from source_records group by customer_id having count(*) > 1),
      m as materialized (select r.n, r.customer_id from lk_rec r join c on c.customer_id = r.customer_id),
      g as (select customer_id, min(n) as root from m group by customer_id)
    insert into lk_edge (a, b, via) select g.root, m.n, 'existing' from m join g on g.customer_id = m.customer_id
    where m.n <> g.root`);
  const edges = await count(tx, sql`select count(*)::int as n from lk_edge`);

  step('union-find');
  // a first label per record: the smallest root among its edges (itself for a root). Edges are star-shaped (a root,
  // its group's smallest record, to each other record), so an edge is already settled when its root is only a root
  // (label itself) and its record is only that one root's member (label that root); only the records of `d` (a
  // root that is also a member, a member of two roots) start the semi-naive rounds, not every edge
  await tx.execute(sql`create temp table lk_lab on commit drop as
    select n, min(l) as l,
      coalesce((bool_or(root) and bool_or(not root)) or min(l) filter (where not root) <> max(l) filter (where not root)
        or max(l) filter (where not root) > n, false) as d
    from (select a as n, a as l, true as root from lk_edge union all select b, a, false from lk_edge) x group by n`);
  await tx.execute(sql`alter table lk_lab add primary key (n)`);
  await tx.execute(sql`analyze lk_lab`);
  // semi-naive: only an edge at a node whose label fell in the previous round (lk_chg, by round; round 0: the
  // unsettled records above) can lower a label; labels only fall, so no change in a round means every component has
  // one label, its smallest record
  await tx.execute(sql`create temp table lk_chg (r int not null, n int not null) on commit drop`);
  await tx.execute(sql`insert into lk_chg (r, n) select 0, n from lk_lab where d`);
  await tx.execute(sql`analyze lk_chg`);
  let rounds = 0;
  for (;;) {
    rounds += 1;
    const r = rounds;
    await tx.execute(sql`with m as (
        select n, min(l) as l from (
          select e.b as n, la.l from lk_edge e join lk_chg f on f.r = ${r - 1}::int and f.n = e.a join lk_lab la on la.n = e.a
          union all select e.a, lb.l from lk_edge e join lk_chg f on f.r = ${r - 1}::int and f.n = e.b join lk_lab lb on lb.n = e.b
        ) x group by n
      ), u as (update lk_lab t set l = m.l from m where t.n = m.n and m.l < t.l returning t.n)
      insert into lk_chg (r, n) select ${r}::int, n from u`);
    // pointer jumping (a label's own label is at least as small) where labels fell
    await tx.execute(sql`with u as (
        update lk_lab t set l = p.l from lk_lab p where p.n = t.l and p.l < t.l
          and (t.n in (select n from lk_chg where r = ${r}::int) or t.l in (select n from lk_chg where r = ${r}::int))
        returning t.n
      )
      insert into lk_chg (r, n) select ${r}::int, n from u`);
    const changed = await count(tx, sql`select count(*)::int as n from lk_chg where r = ${r}::int`);
    if (changed === 0 || rounds > 50) break;
  }

  // a person's word beats the union-find: a component that holds both records of a separation HQ made is not merged
  // here; its records keep their customers (a label per customer: its smallest record) and are linked one by one
  // after, by the incremental linker, which keeps the two apart. Usually there is no separation at all: one probe.
  let apart: string[] = [];
  const [{ any }] = await rows<{ any: boolean }>(
    tx,
    sql`select exists (select 1 from identity_separations where lifted_at is null) as any`,
  );
  if (any) {
    step('kept apart');
    const r = await rows<{ id: string }>(
      tx,
      sql`with c as (
          select distinct la.l from identity_separations s
            join lk_rec a on a.id = s.record_a join lk_rec b on b.id = s.record_b
            join lk_lab la on la.n = a.n join lk_lab lb on lb.n = b.n
          where s.lifted_at is null and la.l = lb.l
        ), k as (
          select lb.n, min(x.n) over (partition by x.customer_id) as l
          from lk_lab lb join c on c.l = lb.l join lk_rec x on x.n = lb.n
        ), u as (update lk_lab t set l = k.l from k where t.n = k.n returning t.n)
        select x.id from u join lk_rec x on x.n = u.n order by x.id collate "C"`,
    );
    apart = r.map((x) => x.id);
  }

  const merges = await bulkMerge(tx, {
    now: o.now,
    job: o.job,
    actorId: o.actorId,
    step,
    rebuildShare: o.rebuildShare,
  });

  step('holds and suggestions');
  // a record's customer now, as an int: its component's label (lk_lab: the smallest record of everything linked
  // to it, existing customers included), or the record itself when nothing links it. Records share a customer now
  // iff they share that key (a component merges into one survivor, one of its own customers, and a customer's
  // records are all in one component), so the candidates are grouped on ints (lk_hold and lk_pm have one row per
  // record) and only the kept (record, customer) pairs, a temp table with its statistics, look up their ids
  await tx.execute(sql`set local enable_sort = off`);
  await tx.execute(sql`create temp table lk_hc on commit drop as
    with o as materialized (
      select p.n, p.phone, coalesce(lb.l, p.n) as k, p.name, p.name_kind, p.surname
      from lk_pm p left join lk_lab lb on lb.n = p.n
    ), h as (
      select h.n, h.phone, h.reason, o.k as own, o.name, o.name_kind, o.surname
      from lk_hold h join o on o.n = h.n
    )
    -- holdCandidates: only customers none of whose records on the phone names someone else than the held one
    select h.n, min(h.phone) as phone, min(h.reason) as reason, min(o.n) as other
    from h join o on o.phone = h.phone
    where o.k <> h.own
    group by h.n, o.k
    having bool_and(h.name_kind = 'unknown' or o.name_kind = 'unknown'
      or case when h.name_kind = 'real' and o.name_kind = 'real' then h.name = o.name else h.surname is not distinct from o.surname end)`);
  await tx.execute(sql`set local enable_sort = on`);
  await tx.execute(sql`analyze lk_hc`);
  // held_links' keys to the records and customers are checked row by row (a lookup and a row lock each: 2 s for the
  // 204,109 holds at 10^6 members); when the holds are a large share of the table (an initial migration) they are
  // set aside and added again after the insert, one validating join each (0.8 s measured), as the merges do
  const restoreKeys = await setHeldKeysAside(tx, o.rebuildShare ?? REBUILD_SHARE);
  const holds = await count(
    tx,
    sql`with c as (
        select r.id as record_id, r.store_id, g.phone, g.reason, coalesce(lo.survivor, ro.customer_id) as customer_id
        from lk_hc g join lk_rec r on r.n = g.n join lk_rec ro on ro.n = g.other
          left join lk_loser lo on lo.loser = ro.customer_id
      ), ins as (
        insert into held_links (id, record_id, candidate_customer_id, store_id, phone, reason, evidence, created_at)
        select 'hld_' || ${o.job} || lpad((row_number() over (order by c.record_id collate "C", c.customer_id collate "C"))::text, 9, '0'),
          c.record_id, c.customer_id, c.store_id, c.phone, c.reason,
          jsonb_build_object('via', 'phone', 'value', left(c.phone, 3) || '****' || right(c.phone, 4), 'job', ${o.job}::text),
          ${now}::timestamptz
        from c
        on conflict (record_id, candidate_customer_id) do nothing returning 1
      ) select count(*)::int as n from ins`,
  );
  await restoreKeys();
  const suggestions = await count(
    tx,
    sql`with w as (
        select r.id, r.customer_id, r.name, r.birthday, coalesce(r.district, s.district) as d, r.store_id
        from source_records r left join stores s on s.id = r.store_id
        where r.name_kind = 'real' and r.birthday is not null
      ), g as (
        -- more than one customer: the smallest is not the largest (no DISTINCT, so the groups hash instead of sorting)
        select name, birthday, d from w where d is not null group by name, birthday, d having min(customer_id) <> max(customer_id)
      ), f as (
        -- ids (lower-case letters, digits, '_') order alike in every collation: bytes compare without strcoll; the
        -- other keys only group
        select distinct on (w.name collate "C", w.birthday, w.d collate "C", w.customer_id collate "C") w.*
        from w join g on g.name = w.name and g.birthday = w.birthday and g.d = w.d
        order by w.name collate "C", w.birthday, w.d collate "C", w.customer_id collate "C", w.id collate "C"
      ), a as (
        select distinct on (name collate "C", birthday, d collate "C") * from f order by name collate "C", birthday, d collate "C", customer_id collate "C"
      ), ins as (
        insert into merge_suggestions (id, record_a, record_b, store_id, evidence, created_at)
        select 'sug_' || ${o.job} || lpad((row_number() over (order by a.id collate "C", f.id collate "C"))::text, 9, '0'),
          least(a.id, f.id), greatest(a.id, f.id), coalesce(a.store_id, f.store_id),
          jsonb_build_object('via', 'name_birthday_district', 'name', a.name, 'birthday', a.birthday, 'district', a.d),
          ${now}::timestamptz
        from a join f on f.name = a.name and f.birthday = a.birthday and f.d = a.d and f.customer_id <> a.customer_id
        on conflict (record_a, record_b) do nothing returning 1
      ) select count(*)::int as n from ins`,
  );
  step('');
  return { records, edges, rounds, merges, holds, suggestions, apart, lastSales, steps };
}
