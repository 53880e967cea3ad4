/** Factories for loyalty tests: a registered member (sign-up is another flow's job), coupons, signed POS calls. */
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import type { Database } from '../../../functions/adapters/db/client.js';
import type { RedeemByCodeInput, RedeemByCodeOutcome } from '../../../functions/adapters/db/repos/coupon.repo.js';
import { newId } from '../../../functions/adapters/ids.js';
import { issueCoupon } from '../../../functions/app/coupons/issue-coupon.js';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { redeemTemplates } from '../../../functions/app/pos/redeem-templates.js';
import type { TestSystem } from '../../support/system.js';

let seq = 0;

export async function createMember(
  database: Database,
  overrides: { id?: string; phone?: string; birthday?: string | null; homeStoreId?: string; registeredAt?: Date } = {},
): Promise<{ customerId: string; phone: string }> {
  seq += 1;
  const customerId = overrides.id ?? `cus_test${String(seq).padStart(4, '0')}${Math.random().toString(36).slice(2, 8)}`;
  const phone = overrides.phone ?? `137${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  await database.exec(
    `insert into customers (id, display_name, birthday, home_store_id, registered_at) values ($1, $2, $3, $4, $5)`,
    [
      customerId,
      '测试会员',
      overrides.birthday ?? null,
      overrides.homeStoreId ?? 'sto_001',
      overrides.registeredAt ?? new Date('2026-01-01T00:00:00Z'),
    ],
  );
  await database.exec(
    `insert into identities (id, customer_id, kind, value, verified, source, source_id) values ($1, $2, 'phone', $3, true, 'miniprogram', $4)`,
    [`idn_${customerId}`, customerId, phone, `phone:${phone}`],
  );
  return { customerId, phone };
}

export async function giveCoupon(
  sys: TestSystem,
  customerId: string,
  templateCode = 'NEW_MEMBER',
  key = `test:${customerId}:${templateCode}:${Math.random()}`,
): Promise<{ couponId: string; code: string }> {
  const result = await issueCoupon(sys.database.db, {
    customerId,
    templateCode,
    reason: 'manual',
    idempotencyKey: key,
    now: sys.clock.now(),
  });
  if (!result.ok) throw new Error(`could not issue ${templateCode}: ${result.code}`);
  return { couponId: result.value.couponId, code: result.value.code };
}

export const posKey = (storeCode: string) => {
  const key = DEMO_PARTNER_KEYS.find((k) => k.id === `key_pos_${storeCode.toLowerCase()}`);
  if (!key) throw new Error(`no demo POS key for ${storeCode}`);
  return key;
};

export const POS_STORE_CODES = DEMO_PARTNER_KEYS.filter((k) => k.source === 'pos').map((k) =>
  k.id.replace('key_pos_', '').toUpperCase(),
);

/** A signed POS call, as the store's POS would send it. */
export function posCall(
  sys: TestSystem,
  path: string,
  body: unknown,
  opts: { store?: string; now?: Date; secret?: string } = {},
) {
  const key = posKey(opts.store ?? 'HZ001');
  const raw = JSON.stringify(body);
  const headers = partnerHeaders({
    keyId: key.id,
    secret: opts.secret ?? key.secret,
    method: 'POST',
    path,
    body: raw,
    now: opts.now ?? sys.clock.now(),
  });
  return sys.call(path, { raw, headers });
}

export async function count(database: Database, sql: string, params: unknown[] = []): Promise<number> {
  const [row] = await database.exec(sql, params);
  return Number(Object.values(row)[0]);
}

/** A member session for a fixture member (sign-up itself is the onboarding flow's; its tests cover it). */
export function memberSession(sys: TestSystem, customerId: string): Promise<string> {
  return sys.deps.tokens.sign({ aud: 'member', sub: `idn_${customerId}`, oid: `o_${customerId}` }, 'access');
}

/** A staff session through the simulated WeChat login; the first call binds the invited phone. */
export async function staffSession(sys: TestSystem, staffId: string): Promise<string> {
  const { DEMO_APPID } = await import('../../../dev/system.js');
  const userId = `u_${staffId.slice('stf_'.length)}`;
  const login = await sys.call('/api/auth/staff-login', { body: { code: sys.sim.issueLoginCode(DEMO_APPID, userId) } });
  if (login.status === 200) return login.body.accessToken;
  const bind = await sys.call('/api/auth/staff-bind', {
    body: { code: sys.sim.issueLoginCode(DEMO_APPID, userId), phoneCode: sys.sim.issuePhoneCode(DEMO_APPID, userId) },
  });
  if (bind.status !== 200) throw new Error(`staff bind of ${staffId} failed: ${JSON.stringify(bind.body)}`);
  return bind.body.accessToken;
}

let keySeq = 0;
/** A fresh idempotency key (or external id) per call: `label-<time>-<n>`. */
export const uniqueKey = (label = 'k') => `${label}-${Date.now().toString(36)}-${++keySeq}`;

/** status and error code of an answer, for one-line expectations */
// biome-ignore lint/suspicious/noExplicitAny: answers are untyped JSON
export const codeOf = (r: { status: number; body: any }) => ({ status: r.status, code: r.body?.error?.code });

/** A fixture member with a member code the till may scan now. */
export async function memberWithCode(sys: TestSystem) {
  const m = await createMember(sys.database);
  const { code } = await issueMemberCode(sys.database.db, {
    customerId: m.customerId,
    identityId: `idn_${m.customerId}`,
    now: sys.clock.now(),
  });
  return { ...m, memberCode: code };
}

/** A till's sale of `fen` non-prescription goods, numbered `externalId`, as the order body the till sends. */
export const tillSale = (sys: TestSystem, externalId: string, fen: number, over: Record<string, unknown> = {}) => ({
  idempotencyKey: uniqueKey('ord'),
  externalId,
  orderedAt: sys.clock.now().toISOString(),
  totalFen: fen,
  discountFen: 0,
  paidFen: fen,
  lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: fen, amountFen: fen }],
  ...over,
});

/** The member's points balance: the sum of the ledger. */
export const pointsBalance = (sys: TestSystem, customerId: string) =>
  count(sys.database, 'select coalesce(sum(points), 0) from points_ledger where customer_id = $1', [customerId]);

/**
 * One call of the by-code redemption statement (couponRepo.redeemByCode, redeemByCodeBatch), as redeem.ts builds
 * it: `code` is a 满100减15 coupon, used on a 230-yuan order at 杭州一店 (its till's key), no receipt number.
 */
export async function byCodeInput(
  sys: TestSystem,
  code: string,
  over: Partial<RedeemByCodeInput> = {},
): Promise<RedeemByCodeInput> {
  const cached = await redeemTemplates(sys.database.db);
  const at = cached.templates.findIndex((t) => t.id === 'ctp_full_100_15');
  if (at < 0) throw new Error('the 满100减15 template is not cached');
  const literals = cached.literals([at]);
  const redemptionId = newId('rdm', sys.clock.now().getTime());
  return {
    keyId: 'key_pos_hz001',
    idempotencyKey: uniqueKey('batch'),
    requestHash: 'h1',
    code,
    storeId: 'sto_001',
    redemptionId,
    externalOrderId: null,
    orderAmountFen: 23_000,
    now: sys.clock.now(),
    responseBase: { redemptionId, storeId: 'sto_001', orderAmountFen: 23_000 },
    templateIds: literals.ids,
    fingerprints: literals.fingerprints,
    discountFen: [1500],
    eligibleFen: [23_000],
    headlines: literals.headlines,
    ...over,
  };
}

/** each answer's outcome, in order */
export const outcomes = (answers: RedeemByCodeOutcome[]) => answers.map((a) => a.outcome);
