/**
 * Sign-up → the one customer of this person, through the identity linker (the body replaces the onboarding side's
 * minimal version; the signature is theirs). The login becomes a mini-program source record with its unionid and
 * the phone WeChat verified, and `linkRecord` links it like any ingested record:
 * - a customer already holding this unionid, or this phone verified, is this person (strong identifiers);
 * - a POS card whose counter-typed phone matches links when nothing contradicts it (decidePhoneGroup);
 * - otherwise the card is a held match the member can confirm ("这是您在××店的会员卡吗?"), listed in the result;
 * - else a new customer.
 * The caller serialises sign-ups of one phone (an advisory lock in the same transaction).
 */
import { sql } from 'drizzle-orm';
import { storePhoneKey } from '../../../shared/identity/blocked.js';
import { normalizeRecord } from '../../../shared/identity/record.js';
import type { Tx } from '../../adapters/db/client.js';
import { createIdentityRepo, dormantSql, rows } from '../../adapters/db/repos/identity.repo.js';
import { createIdentityReviewRepo } from '../../adapters/db/repos/identity-review.repo.js';
import { newId } from '../../adapters/ids.js';
import { linkRecord, shanghaiDay } from './link-record.js';
import { canonicalPayload } from './payload.js';

export interface LinkOnSignupInput {
  openidIdentityId: string;
  unionid: string | null;
  /** canonical, verified with WeChat's phone code */
  phone: string;
  storeId: string | null;
  now: Date;
}

export interface LinkOnSignupResult {
  customerId: string;
  created: boolean;
  heldMatches: Array<{ matchId: string; storeName: string; cardMasked: string }>;
}

/** 88000001230 → 88****1230: enough for the member to recognise their card, not enough to use it. */
export function maskCard(card: string): string {
  return card.length <= 6 ? `${card.slice(0, 1)}****` : `${card.slice(0, 2)}****${card.slice(-4)}`;
}

export async function linkOnSignup(tx: Tx, input: LinkOnSignupInput): Promise<LinkOnSignupResult> {
  const repo = createIdentityRepo(tx);
  const [login] = await rows<{ openid: string; customer_id: string | null }>(
    tx,
    sql`select value as openid, customer_id from identities where id = ${input.openidIdentityId} and kind = 'openid'`,
  );
  if (!login) throw new Error(`identity ${input.openidIdentityId} not found`);
  const existing = await rows<{ id: string; customer_id: string; store_code: string | null }>(
    tx,
    sql`select id, customer_id, payload->>'storeCode' as store_code
        from source_records where source = 'miniprogram' and source_id = ${login.openid}`,
  );
  // the store of the first sign-up stays the record's (as it keeps the sign-up's credit): signing up again from
  // another store's code, or from the home page, changes nothing
  const storeCode =
    existing[0]?.store_code ??
    (input.storeId
      ? ((await rows<{ code: string }>(tx, sql`select code from stores where id = ${input.storeId}`))[0]?.code ?? null)
      : null);

  // the login as a mini-program source record (idempotent: a second sign-up finds it unchanged)
  const raw = {
    sourceId: login.openid,
    openid: login.openid,
    unionid: input.unionid,
    phone: input.phone,
    phoneVerified: true,
    storeCode,
  };
  const storePhones = new Set((await repo.storePhones()).map(storePhoneKey));
  const normalized = normalizeRecord('miniprogram', raw, storePhones);
  if (!normalized.ok) throw new Error(`sign-up record does not normalise: ${normalized.refusal.code}`);
  const { payload, hash } = canonicalPayload(raw);
  const [outcome] = await repo.upsertRecords(
    'miniprogram',
    [
      {
        recordId: newId('rec', input.now.getTime()),
        // a login that already had a customer (an earlier partial sign-up) keeps it: swapped in below
        customerId: newId('cus', input.now.getTime()),
        storeId: input.storeId,
        record: normalized.record,
        payload,
        payloadHash: hash,
      },
    ],
    input.now,
  );
  if (outcome.status === 'created' && login.customer_id) {
    // upsertRecords made a customers row for the record; the login's own customer is the one to keep
    await tx.execute(sql`update source_records set customer_id = ${login.customer_id}, origin_customer_id = ${login.customer_id}
      where id = ${outcome.recordId}`);
    await tx.execute(sql`update identities set customer_id = ${login.customer_id}
      where source = 'miniprogram' and source_id = ${login.openid}`);
    await tx.execute(sql`delete from customers where id = ${outcome.customerId}`);
  }
  const link = await linkRecord(tx, outcome.recordId, input.now, { kind: 'member', id: input.openidIdentityId });
  const customerId = link.customerId;
  const created = existing.length === 0 && !login.customer_id && link.merges.length === 0;

  // POS cards with this phone that did not link: offer them to the member as held matches
  // (the member is offered the ones they may confirm themselves: not a dormant card, nor one with another's name)
  const today = shanghaiDay(input.now);
  const cards = await rows<{ record_id: string; dormant: boolean }>(
    tx,
    sql`select r.id as record_id, ${dormantSql('r', today)} as dormant
        from source_records r
        where r.source = 'pos' and r.phone = ${input.phone} and r.customer_id <> ${customerId}
        order by r.id limit 5`,
  );
  await repo.insertHolds(
    cards.map((c) => ({
      id: newId('hld', input.now.getTime()),
      recordId: c.record_id,
      candidateCustomerId: customerId,
      phone: input.phone,
      reason: c.dormant ? ('dormant_card' as const) : ('ambiguous' as const),
      evidence: { via: 'phone', at: 'signup' },
    })),
    input.now,
  );
  const offered = await createIdentityReviewRepo(tx).heldMatchesOf(customerId, today);
  const heldMatches = offered.map((h) => ({
    matchId: h.id,
    storeName: h.store_name ?? '门店',
    cardMasked: maskCard(h.card),
  }));
  return { customerId, created, heldMatches };
}
