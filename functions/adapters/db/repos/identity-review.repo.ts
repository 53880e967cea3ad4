/**
 * Reads and decisions of the review queues (held matches, merge suggestions), the merge history and the
 * integration-health view.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { dormantSql, lastActiveSql, rows, keptApartSql as separationsAmong } from './identity.repo.js';

/** a decision about a record whose member closed the account is gone with them: not listed, counted or lifted */
const NOT_ERASED = sql`not exists (select 1 from source_records e
  where e.id in (sp.record_a, sp.record_b) and e.erased_at is not null)`;

type Conn = Db | Tx;

export interface RecordRowView {
  record_id: string;
  customer_id: string;
  source: string;
  source_id: string;
  store_name: string | null;
  name: string | null;
  birthday: string | null;
  gender: string;
  phone: string | null;
  district: string | null;
  last_active: string | null;
}

/** A record as the merge history shows it; the raw phone and ids are masked by the use case, never sent. */
export interface MergeRecordRow {
  id: string;
  source: string;
  source_id: string;
  store_name: string | null;
  name: string | null;
  phone: string | null;
}

export interface MergeSideRow {
  customer_id: string;
  display_name: string | null;
  n: number;
  phones: string[] | null;
  records: MergeRecordRow[];
}

export interface MergeRow {
  id: string;
  rule: string;
  evidence: Record<string, unknown>;
  actor_kind: 'system' | 'staff' | 'member';
  actor_id: string;
  actor_name: string | null;
  created_at: string;
  /** created_at to the microsecond, UTC: the paging cursor compares on it */
  created_key: string;
  undone_at: string | null;
  undone_by_name: string | null;
  /** the separation HQ's undo left (none for the linker's own undos), and whether HQ lifted it since */
  separation: { lifted_at: string | null; lifted_by_name: string | null } | null;
  survivor: MergeSideRow;
  merged: MergeSideRow;
  moved: Record<string, number> | null;
}

export interface MergeFilter {
  /** canonical mobile: merges where either customer holds or held a record carrying it */
  phone?: string;
  customerId?: string;
  /** strictly older than this (created_at, id), newest first */
  before?: { createdKey: string; id: string };
  limit: number;
  /** records listed per side (all are counted) */
  recordsPerSide: number;
}

/** A page of a review queue: scope, the phone of the customer at the counter, and where the last page ended. */
export interface QueueFilter {
  /** null = every store (HQ) */
  storeIds: readonly string[] | null;
  /** canonical mobile */
  phone?: string;
  /** strictly after this (created_at, id) in the list's order */
  from?: { createdKey: string; id: string };
  limit: number;
}

const CREATED_KEY = (t: string) =>
  sql.raw(`to_char(${t}.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key`);

/** In the caller's stores (null: every store). One store is an equality, so a queue's page is an ordered index scan. */
const inStores = (column: SQL, storeIds: readonly string[] | null) =>
  storeIds === null
    ? sql`true`
    : storeIds.length === 1
      ? sql`${column} = ${storeIds[0]}`
      : sql`${column} in (select jsonb_array_elements_text(${JSON.stringify(storeIds)}::jsonb))`;

/** The ids of the records carrying `phone`: `= any(array(…))` is an index scan, `in (select …)` may plan a scan. */
const recordsWithPhone = (phone: string) => sql`array(select x.id from source_records x where x.phone = ${phone})`;

/** A record as staff see it; its last activity is the linker's (lastActiveSql): the date sent, or a sale since. */
const RECORD_VIEW = sql`${sql.raw(`r.id as record_id, r.customer_id, r.source, r.source_id, s.name as store_name, r.name,
  r.birthday::text as birthday, r.gender, r.phone, coalesce(r.district, s.district) as district`)},
  ${lastActiveSql('r')}::text as last_active`;

/** HQ keeps the customers `a` and `b` apart (by another separation than `except`). */
const keptApartSql = (a: SQL, b: SQL, except: string | null = null) =>
  sql`exists (${separationsAmong(sql`select ${a} union all select ${b}`, except)})`;

/**
 * An open suggestion in scope whose records are still two customers HQ does not keep apart (`g`, its records `a`,
 * `b`); with a phone, one of the two records carries it.
 */
/**
 * Whether the member may confirm held card `r` (of hold `h`) themselves: owning the phone proves the card is theirs
 * only where the number cannot have passed to someone else and the card's name fits the member. Not a card dormant
 * for years (its number may have been recycled to the very person asking), and not a card whose real name or surname
 * differs from one already on the member's records (a family phone: having confirmed 王雨桐's card, 俞磊's is not
 * theirs too). Those go to the stores' review, where staff ask for the card or an ID.
 *
 * And the phone must still be what it proves: the card carries the number the hold was made on, and the member has
 * verified that number (a till's re-sync that moves the card to another number leaves the old hold unconfirmable:
 * confirming it would have verified the new number for someone who never proved it). Nor may the card sit in another
 * member's account (registered, or with a mini-program record): a phone typed on a card proves nothing about the
 * member who already holds it, and confirming would hand that whole account over (a walk re-synced a member's
 * confirmed card with the attacker's number and took her account by confirming it).
 */
const offeredToMember = (customerId: string, today: string) => sql`(h.reason <> 'dormant_card'
  and h.phone is not null and r.phone = h.phone
  and exists (select 1 from source_records mine where mine.customer_id = ${customerId} and mine.phone = h.phone
    and mine.phone_verified)
  and not exists (select 1 from customers rc where rc.id = r.customer_id and rc.registered_at is not null)
  and not exists (select 1 from source_records x where x.customer_id = r.customer_id and x.source = 'miniprogram')
  and not ${dormantSql('r', today)}
  and not exists (select 1 from source_records o where o.customer_id = ${customerId} and (
    (o.name_kind = 'real' and r.name_kind = 'real' and o.name_key is distinct from r.name_key
      and strpos(o.name, r.name) = 0 and strpos(r.name, o.name) = 0)
    or (o.surname is not null and r.surname is not null and o.surname <> r.surname))))`;

const openSuggestion = (f: Pick<QueueFilter, 'storeIds' | 'phone'>) =>
  sql`g.status = 'open' and a.customer_id <> b.customer_id and not ${keptApartSql(sql`a.customer_id`, sql`b.customer_id`)}
    and ${inStores(sql`g.store_id`, f.storeIds)}
    ${f.phone ? sql`and (g.record_a = any(${recordsWithPhone(f.phone)}) or g.record_b = any(${recordsWithPhone(f.phone)}))` : sql``}`;

/**
 * An open hold in scope (the held record's store, which the hold carries) that the candidate has not taken already
 * and that no separation HQ made forbids (`h`, its record `r`, its candidate `c`); with a phone, the hold is on it,
 * the held record carries it, or the candidate member holds it.
 *
 * One question per pair of people: a dormant card held against the mall account on its number usually comes with
 * the mirror hold (the account held against the card's customer), and either answer settles both. Of the two the
 * queue shows the one whose record has a store (the card: its store's manager decides it), else the first by id.
 */
const openHold = (f: Pick<QueueFilter, 'storeIds' | 'phone'>) =>
  sql`h.status = 'open' and r.customer_id <> coalesce(c.merged_into, c.id)
    and not ${keptApartSql(sql`r.customer_id`, sql`coalesce(c.merged_into, c.id)`)}
    and not exists (
      select 1 from source_records mr join held_links m on m.record_id = mr.id
        join customers mc on mc.id = m.candidate_customer_id
      where mr.customer_id = coalesce(c.merged_into, c.id) and m.status = 'open' and m.id <> h.id
        and coalesce(mc.merged_into, mc.id) = r.customer_id
        and ((mr.store_id is not null and r.store_id is null)
          or ((mr.store_id is null) = (r.store_id is null) and m.id < h.id)))
    and ${inStores(sql`h.store_id`, f.storeIds)}
    ${f.phone ? sql`and h.id = any(${holdsOnPhone(f.phone)})` : sql``}`;

/**
 * The open holds on a phone, each found by an index: the hold is on it, its record carries it, or its candidate
 * (or the customer the candidate was merged into) holds a record carrying it.
 */
const holdsOnPhone = (phone: string) => {
  const holders = sql`array(select y.customer_id from source_records y where y.phone = ${phone})`;
  return sql`array(
    select x.id from held_links x where x.status = 'open' and x.phone = ${phone}
    union select x.id from held_links x where x.status = 'open' and x.record_id = any(${recordsWithPhone(phone)})
    union select x.id from held_links x where x.status = 'open' and x.candidate_customer_id = any(array(
      select unnest(${holders}) union select z.id from customers z where z.merged_into = any(${holders}))))`;
};

/** A decision (`sp`) one of whose records carries the phone. */
const decidedOnPhone = (phone: string | undefined) =>
  phone
    ? sql`and (sp.record_a = any(${recordsWithPhone(phone)}) or sp.record_b = any(${recordsWithPhone(phone)}))`
    : sql``;

export function createIdentityReviewRepo(conn: Conn) {
  /**
   * How many rows `query` gives, counted up to `cap` + 1 (the caller says "more than cap"): each row of a queue is
   * checked against the records' customers now, so an exact count of a chain's whole backlog reads every record.
   */
  const countUpTo = async (query: SQL, cap: number): Promise<number> => {
    const r = await rows<{ n: number }>(conn, sql`select count(*)::int as n from (${query} limit ${cap + 1}) q`);
    return r[0]?.n ?? 0;
  };

  return {
    /** Open holds of POS cards against this customer: what the member may confirm. */
    /** The held POS cards the member may confirm (`offeredToMember`), each once (the first hold of each card). */
    async heldMatchesOf(customerId: string, today: string) {
      return rows<{
        id: string;
        card: string;
        store_name: string | null;
        name: string | null;
        gender: 'male' | 'female' | 'unknown';
        last_active: string | null;
      }>(
        conn,
        sql`select id, card, store_name, name, gender, last_active from (
              select distinct on (r.id) h.id, r.source_id as card, s.name as store_name, h.created_at,
                r.name, r.gender,
                -- the card's last visit: the date the till sent, or a sale on the card since (as the linker reads it)
                ${lastActiveSql('r')}::text as last_active
              from held_links h join source_records r on r.id = h.record_id left join stores s on s.id = r.store_id
              join customers c on c.id = h.candidate_customer_id
              where coalesce(c.merged_into, c.id) = ${customerId} and h.status = 'open' and r.source = 'pos'
                and r.customer_id <> ${customerId} and not ${keptApartSql(sql`r.customer_id`, sql`${customerId}`)}
                and ${offeredToMember(customerId, today)}
              order by r.id, h.created_at, h.id) m
            order by created_at, id`,
      );
    },

    /** Whether the member may confirm this hold themselves (as `heldMatchesOf` offers it). */
    async offeredToMember(holdId: string, customerId: string, today: string): Promise<boolean> {
      const r = await rows<{ ok: boolean }>(
        conn,
        sql`select ${offeredToMember(customerId, today)} as ok
            from held_links h join source_records r on r.id = h.record_id where h.id = ${holdId}`,
      );
      return r[0]?.ok === true;
    },

    /** Whether HQ keeps the two customers apart (by another separation than `except`). */
    async keptApart(a: string, b: string, except: string | null = null): Promise<boolean> {
      const r = await rows<{ apart: boolean }>(
        conn,
        sql`select ${keptApartSql(sql`${a}`, sql`${b}`, except)} as apart`,
      );
      return r[0]?.apart === true;
    },

    /**
     * Someone said the held card is not the candidate's: its record and the candidate's record on its phone (else
     * the candidate's first) are kept apart from now on. A hold decided again after HQ lifted that decision takes
     * the same row back.
     */
    async separateHold(v: {
      id: string;
      heldLinkId: string;
      reason: 'hold_rejected' | 'match_declined';
      by: string;
      now: Date;
    }): Promise<void> {
      await conn.execute(sql`with p as (
          select h.record_id as x,
                 (select r.id from source_records r join customers c on c.id = h.candidate_customer_id
                   where r.customer_id = coalesce(c.merged_into, c.id)
                   order by (r.phone is not distinct from h.phone) desc, r.id limit 1) as y
          from held_links h where h.id = ${v.heldLinkId}
        )
        insert into identity_separations (id, record_a, record_b, reason, held_link_id, created_by, created_at)
        select ${v.id}, least(x, y), greatest(x, y), ${v.reason}, ${v.heldLinkId}, ${v.by}, ${v.now.toISOString()}::timestamptz
        from p where y is not null and x <> y
        on conflict (held_link_id) do update set record_a = excluded.record_a,
          record_b = excluded.record_b, reason = excluded.reason, created_by = excluded.created_by,
          created_at = excluded.created_at, lifted_at = null, lifted_by = null`);
    },

    /** A manager said a suggestion's two records are two people: they are kept apart from now on. */
    async separateSuggestion(v: { id: string; suggestionId: string; by: string; now: Date }): Promise<void> {
      await conn.execute(sql`insert into identity_separations (id, record_a, record_b, reason, suggestion_id, created_by, created_at)
        select ${v.id}, least(record_a, record_b), greatest(record_a, record_b), 'suggestion_rejected', id, ${v.by},
               ${v.now.toISOString()}::timestamptz
        from merge_suggestions where id = ${v.suggestionId}
        on conflict (suggestion_id) do update set created_by = excluded.created_by,
          created_at = excluded.created_at, lifted_at = null, lifted_by = null`);
    },

    /** The records carrying `phone`, by customer then record, up to `limit` (HQ picks two to keep apart). */
    async recordsOnPhone(phone: string, limit: number) {
      return rows<RecordRowView>(
        conn,
        sql`select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id
            where r.phone = ${phone} order by r.customer_id, r.id limit ${limit}`,
      );
    },

    /** The two records with their customers, locked: a merge that would move either waits for this transaction. */
    async recordsForUpdate(a: string, b: string) {
      return rows<{ id: string; customer_id: string }>(
        conn,
        sql`select id, customer_id from source_records where id in (${a}, ${b}) order by id for update`,
      );
    },

    /** Whether an open hold or merge suggestion puts the two customers to a reviewer (either way round). */
    async proposalBetween(x: string, y: string): Promise<boolean> {
      const r = await rows<{ open: boolean }>(
        conn,
        sql`select exists (
              select 1 from held_links h join source_records r on r.id = h.record_id
                join customers c on c.id = h.candidate_customer_id
              where h.status = 'open' and array[r.customer_id, coalesce(c.merged_into, c.id)] in (array[${x}, ${y}], array[${y}, ${x}])
            ) or exists (
              select 1 from merge_suggestions g join source_records a on a.id = g.record_a join source_records b on b.id = g.record_b
              where g.status = 'open' and array[a.customer_id, b.customer_id] in (array[${x}, ${y}], array[${y}, ${x}])
            ) as open`,
      );
      return r[0]?.open === true;
    },

    /** A live separation that keeps the two customers apart (any reason), if there is one. */
    async separationBetween(x: string, y: string): Promise<string | null> {
      const r = await rows<{ id: string }>(
        conn,
        sql`select ks.id from identity_separations ks
              join source_records ka on ka.id = ks.record_a join source_records kb on kb.id = ks.record_b
            where ks.lifted_at is null and array[ka.customer_id, kb.customer_id] in (array[${x}, ${y}], array[${y}, ${x}])
            order by ks.created_at, ks.id limit 1`,
      );
      return r[0]?.id ?? null;
    },

    /** HQ marks the two records as two people (`manual`, with its words). */
    async separateManually(v: { id: string; recordA: string; recordB: string; note: string; by: string; now: Date }) {
      const [a, b] = v.recordA < v.recordB ? [v.recordA, v.recordB] : [v.recordB, v.recordA];
      await conn.execute(sql`insert into identity_separations (id, record_a, record_b, reason, note, created_by, created_at)
        values (${v.id}, ${a}, ${b}, 'manual', ${v.note}, ${v.by}, ${v.now.toISOString()}::timestamptz)`);
    },

    /** The "not the same person" decisions (not HQ's undos: those are on the merge history), newest first. */
    async decidedSeparations(f: Omit<QueueFilter, 'storeIds'>) {
      return rows<
        {
          id: string;
          reason: 'hold_rejected' | 'match_declined' | 'suggestion_rejected' | 'manual';
          note: string | null;
          created_at: string;
          created_key: string;
          decided_by_name: string | null;
          lifted_at: string | null;
          lifted_by_name: string | null;
          store_id: string | null;
        } & Record<string, unknown>
      >(
        conn,
        sql`select sp.id, sp.reason, sp.note, sp.created_at::text as created_at, ${CREATED_KEY('sp')},
              st.name as decided_by_name, sp.lifted_at::text as lifted_at, sl.name as lifted_by_name, a.store_id,
              to_jsonb(va) as a, to_jsonb(vb) as b
            from identity_separations sp
            join source_records a on a.id = sp.record_a
            left join staff st on st.id = sp.created_by left join staff sl on sl.id = sp.lifted_by
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = sp.record_a) va
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = sp.record_b) vb
            where sp.reason <> 'undo' and ${NOT_ERASED} ${decidedOnPhone(f.phone)}
              ${f.from ? sql`and (sp.created_at, sp.id) < (${f.from.createdKey}::timestamptz, ${f.from.id})` : sql``}
            order by sp.created_at desc, sp.id desc limit ${f.limit}`,
      );
    },

    /** The decisions that stand (HQ has not taken them back). */
    async decidedSeparationsCount(f: { phone?: string }, cap: number): Promise<number> {
      return countUpTo(
        sql`select 1 from identity_separations sp
            where sp.reason <> 'undo' and sp.lifted_at is null and ${NOT_ERASED} ${decidedOnPhone(f.phone)}`,
        cap,
      );
    },

    /**
     * HQ takes back a "not the same person" decision: the separation is lifted and the hold or suggestion it closed
     * is open again, for the member or a manager to decide anew. Null when there is no such live decision.
     */
    async liftDecided(
      id: string,
      by: string,
      now: Date,
    ): Promise<{ heldLinkId: string | null; suggestionId: string | null } | null> {
      const r = await rows<{ held_link_id: string | null; suggestion_id: string | null }>(
        conn,
        sql`update identity_separations sp set lifted_at = ${now.toISOString()}::timestamptz, lifted_by = ${by}
            where sp.id = ${id} and sp.reason <> 'undo' and sp.lifted_at is null and ${NOT_ERASED}
            returning sp.held_link_id, sp.suggestion_id`,
      );
      const s = r[0];
      if (!s) return null;
      if (s.held_link_id)
        await conn.execute(sql`update held_links set status = 'open', decided_by = null, decided_at = null
          where id = ${s.held_link_id} and status = 'rejected'`);
      if (s.suggestion_id)
        await conn.execute(sql`update merge_suggestions set status = 'open', decided_by = null, decided_at = null
          where id = ${s.suggestion_id} and status = 'rejected'`);
      return { heldLinkId: s.held_link_id, suggestionId: s.suggestion_id };
    },

    async decidedSeparation(id: string) {
      const r = await rows<{ id: string; reason: string; lifted_at: string | null }>(
        conn,
        sql`select id, reason, lifted_at::text as lifted_at from identity_separations where id = ${id}`,
      );
      return r[0] ?? null;
    },

    async heldLink(id: string) {
      const r = await rows<{
        id: string;
        record_id: string;
        candidate: string;
        status: string;
        merge_id: string | null;
        record_customer: string;
        source: string;
        source_id: string;
      }>(
        conn,
        sql`select h.id, h.record_id, coalesce(c.merged_into, c.id) as candidate, h.status, h.merge_id,
              r.customer_id as record_customer, r.source, r.source_id
            from held_links h join customers c on c.id = h.candidate_customer_id join source_records r on r.id = h.record_id
            where h.id = ${id} for update of h`,
      );
      return r[0] ?? null;
    },

    /**
     * Closes the hold, and with it any open hold between the same two customers the other way round (the mirror:
     * the account held against the card's customer): one answer settles both, so no stale question is left open.
     * After a merge the two are one customer, and a hold whose two sides are that customer is settled too.
     */
    async decideHeld(id: string, status: 'confirmed' | 'rejected', by: string, mergeId: string | null, now: Date) {
      await conn.execute(sql`with h as (
          select r.customer_id as record_customer, coalesce(c.merged_into, c.id) as candidate
          from held_links h join source_records r on r.id = h.record_id join customers c on c.id = h.candidate_customer_id
          where h.id = ${id}
        )
        update held_links x set status = ${status}, decided_by = ${by}, decided_at = ${now.toISOString()}::timestamptz,
          merge_id = ${mergeId}
        where x.id = ${id} or (x.status = 'open' and exists (
          select 1 from h, source_records mr, customers mc
          where mr.id = x.record_id and mc.id = x.candidate_customer_id
            and mr.customer_id = h.candidate and coalesce(mc.merged_into, mc.id) = h.record_customer))`);
    },

    /** The member confirmed the card: its phone is now as good as verified. */
    async verifyRecordPhone(source: string, sourceId: string) {
      await conn.execute(
        sql`update source_records set phone_verified = true where source = ${source} and source_id = ${sourceId} and phone is not null`,
      );
      await conn.execute(
        sql`update identities set verified = true where source = ${source} and source_id = ${sourceId} and kind = 'phone'`,
      );
    },

    async suggestions(f: QueueFilter) {
      return rows<
        {
          id: string;
          store_id: string | null;
          created_at: string;
          created_key: string;
          a_records: number;
          b_records: number;
        } & Record<string, unknown>
      >(
        conn,
        sql`select g.id, g.store_id, g.created_at::text as created_at, ${CREATED_KEY('g')},
              to_jsonb(a) as a, to_jsonb(b) as b,
              (select count(*)::int from source_records x where x.customer_id = a.customer_id) as a_records,
              (select count(*)::int from source_records x where x.customer_id = b.customer_id) as b_records
            from merge_suggestions g
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = g.record_a) a
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = g.record_b) b
            where ${openSuggestion(f)}
              ${f.from ? sql`and (g.created_at, g.id) > (${f.from.createdKey}::timestamptz, ${f.from.id})` : sql``}
            order by g.created_at, g.id limit ${f.limit}`,
      );
    },

    async suggestionsCount(f: Omit<QueueFilter, 'from' | 'limit'>, cap: number): Promise<number> {
      return countUpTo(
        sql`select 1 from merge_suggestions g
            join source_records a on a.id = g.record_a join source_records b on b.id = g.record_b
            where ${openSuggestion(f)}`,
        cap,
      );
    },

    /**
     * Open holds in scope (`storeIds` null = every store: HQ; else the held record's store among them), each with
     * the held record and the candidate customer's record on the hold's phone (its first record otherwise). Holds
     * the candidate has taken already, or across a separation HQ made, are not listed.
     */
    async heldReviews(f: QueueFilter) {
      return rows<
        {
          id: string;
          reason: string;
          store_id: string | null;
          created_at: string;
          created_key: string;
          n: number;
        } & Record<string, unknown>
      >(
        conn,
        sql`select h.id, h.reason, r.store_id, h.created_at::text as created_at, ${CREATED_KEY('h')},
              to_jsonb(a) as record, to_jsonb(b) as candidate,
              (select count(*)::int from source_records x where x.customer_id = coalesce(c.merged_into, c.id)) as n
            from held_links h join source_records r on r.id = h.record_id
            join customers c on c.id = h.candidate_customer_id
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id where r.id = h.record_id) a
            cross join lateral (select ${RECORD_VIEW} from source_records r left join stores s on s.id = r.store_id
              where r.customer_id = coalesce(c.merged_into, c.id) order by (r.phone is not distinct from h.phone) desc, r.id limit 1) b
            where ${openHold(f)}
              ${f.from ? sql`and (h.created_at, h.id) > (${f.from.createdKey}::timestamptz, ${f.from.id})` : sql``}
            order by h.created_at, h.id limit ${f.limit}`,
      );
    },

    async heldReviewsCount(f: Omit<QueueFilter, 'from' | 'limit'>, cap: number): Promise<number> {
      return countUpTo(
        sql`select 1 from held_links h join source_records r on r.id = h.record_id
            join customers c on c.id = h.candidate_customer_id
            where ${openHold(f)}`,
        cap,
      );
    },

    /** A hold with its record's store (the policy resource) and the records' customers now, locked for a decision. */
    async heldReview(id: string) {
      const r = await rows<{
        id: string;
        status: string;
        merge_id: string | null;
        reason: string;
        record_id: string;
        record_customer: string;
        candidate: string;
        store_id: string | null;
        region_id: string | null;
      }>(
        conn,
        sql`select h.id, h.status, h.merge_id, h.reason, h.record_id, r.customer_id as record_customer,
              coalesce(c.merged_into, c.id) as candidate, r.store_id, s.region_id
            from held_links h join source_records r on r.id = h.record_id join customers c on c.id = h.candidate_customer_id
            left join stores s on s.id = r.store_id
            where h.id = ${id} for update of h`,
      );
      return r[0] ?? null;
    },

    /** A suggestion; `lock`: its row locked for the transaction deciding it, so it is decided once. */
    async suggestion(id: string, opts: { lock?: boolean } = {}) {
      const r = await rows<{
        id: string;
        status: string;
        merge_id: string | null;
        store_id: string | null;
        region_id: string | null;
        a_customer: string;
        b_customer: string;
        record_a: string;
        record_b: string;
      }>(
        conn,
        sql`select g.id, g.status, g.merge_id, g.store_id, s.region_id, ra.customer_id as a_customer, rb.customer_id as b_customer,
              g.record_a, g.record_b
            from merge_suggestions g left join stores s on s.id = g.store_id
            join source_records ra on ra.id = g.record_a join source_records rb on rb.id = g.record_b
            where g.id = ${id} ${opts.lock ? sql`for update of g` : sql``}`,
      );
      return r[0] ?? null;
    },

    async decideSuggestion(
      id: string,
      status: 'confirmed' | 'rejected',
      by: string,
      mergeId: string | null,
      now: Date,
    ) {
      await conn.execute(sql`update merge_suggestions set status = ${status}, decided_by = ${by},
        decided_at = ${now.toISOString()}::timestamptz, merge_id = ${mergeId} where id = ${id}`);
    },

    /**
     * Merges newest first with both sides and the per-table counts of what moved. The merged side is the records
     * this merge moved (its log); the survivor side the survivor's records as they were then: on it now or born on
     * it (and since taken further by a later merge), less what later merges brought. Every lookup goes through an
     * index (customer, the merge log's primary key and row index).
     * Not indexed: the unfiltered page sorts all merges on created_at (62k merges of a 100k-member demo: 60-90 ms,
     * against 4-7 ms filtered by phone or customer); an index on identity_merges (created_at, id) would fix that.
     */
    async merges(f: MergeFilter): Promise<MergeRow[]> {
      // a closed account's merges are erased with it: nothing left to show or undo
      const where: SQL[] = [sql`m.erased_at is null`];
      if (f.customerId) where.push(sql`(m.survivor_id = ${f.customerId} or m.merged_id = ${f.customerId})`);
      if (f.phone) {
        // `= any(array(…))` is two bitmap index scans; `in (select …)` gets planned as a scan of every merge
        where.push(
          sql`(m.survivor_id = any(array(select c from holders)) or m.merged_id = any(array(select c from holders)))`,
        );
      }
      if (f.before) {
        where.push(sql`(m.created_at, m.id) < (${f.before.createdKey}::timestamptz, ${f.before.id})`);
      }
      const holders = f.phone
        ? sql`with phone_records as (
              select r.id, r.customer_id, r.origin_customer_id from source_records r where r.phone = ${f.phone}
              union
              select r.id, r.customer_id, r.origin_customer_id from identities i
                join source_records r on r.source = i.source and r.source_id = i.source_id
              where i.kind = 'phone' and i.value = ${f.phone}
            ), holders as (
              select customer_id as c from phone_records
              union select origin_customer_id from phone_records
              union select mv.from_customer_id from identity_merge_moves mv join phone_records p
                on mv.table_name = 'source_records' and mv.row_id = p.id
            ) `
        : sql``;
      const filter = where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``;
      const side = (customer: SQL, records: SQL) => sql`(
          select jsonb_build_object(
            'customer_id', c.id, 'display_name', c.display_name, 'n', count(x.id),
            'phones', coalesce(jsonb_agg(distinct x.phone) filter (where x.phone is not null), '[]'::jsonb),
            'records', coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'source', x.source, 'source_id', x.source_id,
              'store_name', x.store_name, 'name', x.name, 'phone', x.phone) order by x.id)
              filter (where x.rn <= ${f.recordsPerSide}), '[]'::jsonb))
          from customers c left join lateral (
            select r.id, r.source, r.source_id, s.name as store_name, r.name, r.phone,
              row_number() over (order by r.id) as rn
            from source_records r left join stores s on s.id = r.store_id where ${records}
          ) x on true
          where c.id = ${customer} group by c.id, c.display_name)`;
      const movedHere = sql`select mv.row_id from identity_merge_moves mv
        where mv.merge_id = p.id and mv.table_name = 'source_records'`;
      return rows<MergeRow>(
        conn,
        sql`${holders}${f.phone ? sql`, ` : sql`with `}page as (
              select m.* from identity_merges m ${filter}
              order by m.created_at desc, m.id desc limit ${f.limit}
            )
            select p.id, p.rule, p.evidence, p.actor_kind, p.actor_id, sa.name as actor_name,
              p.created_at::text as created_at,
              to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created_key,
              p.undone_at::text as undone_at, su.name as undone_by_name,
              (select jsonb_build_object('lifted_at', sp.lifted_at::text, 'lifted_by_name', sl.name)
                from identity_separations sp left join staff sl on sl.id = sp.lifted_by
                where sp.merge_id = p.id) as separation,
              ${side(
                sql`p.survivor_id`,
                sql`r.customer_id in (p.survivor_id, (select coalesce(sc.merged_into, sc.id) from customers sc where sc.id = p.survivor_id))
                and (r.customer_id = p.survivor_id or r.origin_customer_id = p.survivor_id)
                and r.id not in (${movedHere}) and r.created_at <= p.created_at
                and not exists (select 1 from identity_merge_moves lmv join identity_merges lm on lm.id = lmv.merge_id
                  where lmv.table_name = 'source_records' and lmv.row_id = r.id and lm.survivor_id = p.survivor_id
                    and lm.seq > p.seq)`,
              )} as survivor,
              ${side(sql`p.merged_id`, sql`r.id in (${movedHere})`)} as merged,
              (select jsonb_object_agg(t.table_name, t.n) from (
                select mv.table_name, count(*)::int as n from identity_merge_moves mv where mv.merge_id = p.id
                group by mv.table_name) t) as moved
            from page p
            left join staff sa on p.actor_kind = 'staff' and sa.id = p.actor_id
            left join staff su on su.id = p.undone_by
            order by p.created_at desc, p.id desc`,
      );
    },

    async storesOfRegion(regionId: string): Promise<string[]> {
      const r = await rows<{ id: string }>(conn, sql`select id from stores where region_id = ${regionId}`);
      return r.map((x) => x.id);
    },

    async storeRegion(storeId: string): Promise<string | null> {
      const r = await rows<{ region_id: string }>(conn, sql`select region_id from stores where id = ${storeId}`);
      return r[0]?.region_id ?? null;
    },

    /**
     * Per source: the last good call or batch, the last failure and its error, and the last 24 hours' counts.
     * Every figure is an index probe or a 24-hour range of (source, at): the log grows by every till's every call,
     * so nothing here reads it whole.
     */
    async health(now: Date, sourceNames: readonly string[], cap: number) {
      const since = new Date(now.getTime() - 86_400_000).toISOString();
      // a source's health is its partner's traffic (a till, the mall, WeChat): a file HQ imports by hand is neither
      // its last good sync nor its failure; its refused rows still count among the day's refused records (they are
      // in the quarantine too)
      const partner = sql`l.operation not like 'import.%'`;
      const sources = await rows<{
        source: string;
        last_ok_at: string | null;
        last_failure_at: string | null;
        last_error: string | null;
        calls: number;
        failures: number;
        rejected: number;
      }>(
        conn,
        sql`select s.source,
              (select max(l.at) from integration_log l where l.source = s.source and l.status <> 'failed'
                and ${partner})::text as last_ok_at,
              (select max(l.at) from integration_log l where l.source = s.source and l.status <> 'ok'
                and ${partner})::text as last_failure_at,
              (select l.error from integration_log l where l.source = s.source and l.error is not null and ${partner}
                order by l.at desc limit 1) as last_error,
              d.calls, d.failures, d.rejected
            from jsonb_array_elements_text(${JSON.stringify(sourceNames)}::jsonb) with ordinality s(source, n)
            cross join lateral (
              select coalesce(sum(l.calls) filter (where ${partner}), 0)::int as calls,
                     coalesce(sum(l.calls) filter (where l.status = 'failed' and ${partner}), 0)::int as failures,
                     coalesce(sum(l.rejected), 0)::int as rejected
                from integration_log l where l.source = s.source and l.at >= ${since}::timestamptz) d
            order by s.n`,
      );
      // each store's till: whether it has a live POS key, when it last got through, what failed in the last 24 hours
      const tills = await rows<{
        store_id: string;
        store_name: string;
        last_ok_at: string | null;
        calls: number;
        failures: number;
        last_error: string | null;
        connected: boolean;
      }>(
        conn,
        sql`select st.id as store_id, st.name as store_name,
              exists (select 1 from partner_keys k
                where k.source = 'pos' and k.store_id = st.id and k.revoked_at is null) as connected,
              (select max(l.at) from integration_log l
                where l.store_id = st.id and l.source = 'pos' and l.status <> 'failed')::text as last_ok_at,
              d.calls, d.failures,
              (select l.error from integration_log l
                where l.store_id = st.id and l.source = 'pos' and l.status = 'failed' and l.at >= ${since}::timestamptz
                order by l.at desc limit 1) as last_error
            from stores st
            cross join lateral (
              select coalesce(sum(l.calls), 0)::int as calls,
                     coalesce(sum(l.calls) filter (where l.status = 'failed'), 0)::int as failures
                from integration_log l where l.store_id = st.id and l.source = 'pos' and l.at >= ${since}::timestamptz) d
            order by st.code`,
      );
      const [quarantine] = await rows<{ n: number }>(
        conn,
        sql`select count(*)::int as n from ingest_quarantine where resolved_at is null`,
      );
      // the review queues as their tabs count them (up to the cap: see countUpTo)
      const counts = {
        quarantined: quarantine?.n ?? 0,
        holds: await countUpTo(
          sql`select 1 from held_links h join source_records r on r.id = h.record_id
              join customers c on c.id = h.candidate_customer_id where ${openHold({ storeIds: null })}`,
          cap,
        ),
        suggestions: await countUpTo(
          sql`select 1 from merge_suggestions g join source_records a on a.id = g.record_a
              join source_records b on b.id = g.record_b where ${openSuggestion({ storeIds: null })}`,
          cap,
        ),
      };
      return { sources, tills, counts };
    },
  };
}
