/**
 * A sale for points at the counter (登记积分) whose answer was lost: the page keeps its key and sends the next sale,
 * whatever amount the clerk typed, under it. A key that recorded a sale answers other contents with `409
 * IDEMPOTENCY_CONFLICT`, nothing written, and `details.recorded`, the sale it recorded (the page says it to the
 * clerk); a key whose first request never arrived records the new amount, and that first request arriving late is
 * the 409. Exactly one sale either way, and concurrently too. Another clerk's key of the same text is theirs alone.
 * PGlite and PostgreSQL (integration-pg).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueMemberCode } from '../../../functions/app/members/member-code.js';
import { CounterSaleConflict } from '../../../shared/contracts/counter.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember } from '../loyalty/loyalty-fixtures.js';
import { counterClerks, unique } from './counter-fixtures.js';

let sys: TestSystem;
let post: Awaited<ReturnType<typeof counterClerks>>;
beforeAll(async () => {
  sys = await startTestSystem();
  // 孙磊 of 北仑新碶店 (no till) and 赵静's 古荡店, its till's key revoked here: both counters record sales
  post = await counterClerks(sys, ['u_ck02', 'u_ck03'], ['sto_002']);
});
afterAll(async () => sys?.close());

/** A member of `storeId`, scanned at `user`'s counter: the counter token. */
async function scanned(user: string, storeId: string) {
  const m = await createMember(sys.database, { homeStoreId: storeId });
  const code = await issueMemberCode(sys.database.db, {
    customerId: m.customerId,
    identityId: `idn_${m.customerId}`,
    now: sys.clock.now(),
  });
  const lookup = await post(user, 'lookup', { code: code.code });
  if (lookup.status !== 200) throw new Error(`lookup failed: ${JSON.stringify(lookup.body)}`);
  return { ...m, token: lookup.body.counterToken as string };
}

const sale = (user: string, token: string, idempotencyKey: string, orderAmountFen: number) =>
  post(user, 'sale', { idempotencyKey, counterToken: token, orderAmountFen });
const ordersOf = (customerId: string) =>
  sys.database.exec('select total_fen from orders where customer_id = $1 order by ordered_at, id', [customerId]);
const balance = (customerId: string) =>
  count(sys.database, 'select coalesce(sum(points), 0) from points_ledger where customer_id = $1', [customerId]);

describe('a counter sale under the key of one whose answer was lost', () => {
  it('the first was recorded: another amount is refused with that sale, nothing written; the same amount replays', async () => {
    const m = await scanned('u_ck03', 'sto_018');
    const key = `cts-${unique()}`;
    const first = await sale('u_ck03', m.token, key, 1_200);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ orderAmountFen: 1_200, pointsEarned: 12, pointsBalance: 12 });

    // the clerk saw no answer and typed 15 yuan: the page sends it under the same key
    const other = await sale('u_ck03', m.token, key, 1_500);
    expect(codeOf(other)).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    expect(CounterSaleConflict.parse(other.body.error.details)).toEqual({ recorded: first.body });
    expect(other.body.error.message).toContain(first.body.orderId);
    expect(await ordersOf(m.customerId)).toEqual([{ total_fen: 1_200 }]);
    expect(await balance(m.customerId)).toBe(12);

    // 保留那笔 may ask again as it was: the same answer, still one sale
    const again = await sale('u_ck03', m.token, key, 1_200);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(await ordersOf(m.customerId)).toEqual([{ total_fen: 1_200 }]);
  });

  it('the first never arrived: the other amount is recorded, and the first arriving late records nothing', async () => {
    const m = await scanned('u_ck03', 'sto_018');
    const key = `cts-${unique()}`;
    const corrected = await sale('u_ck03', m.token, key, 2_500);
    expect(corrected.status).toBe(200);
    expect(corrected.body).toMatchObject({ orderAmountFen: 2_500, pointsEarned: 25, pointsBalance: 25 });
    const late = await sale('u_ck03', m.token, key, 2_000);
    expect(codeOf(late)).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
    expect(late.body.error.details).toEqual({ recorded: corrected.body });
    expect(await ordersOf(m.customerId)).toEqual([{ total_fen: 2_500 }]);
    expect(await balance(m.customerId)).toBe(25);
  });

  it('two amounts under one key at the same moment: one sale, the other told of it', async () => {
    const m = await scanned('u_ck03', 'sto_018');
    const key = `cts-${unique()}`;
    const answers = await Promise.all([
      sale('u_ck03', m.token, key, 3_000),
      sale('u_ck03', m.token, key, 3_300),
      sale('u_ck03', m.token, key, 3_600),
    ]);
    const made = answers.filter((a) => a.status === 200);
    expect(made).toHaveLength(1);
    for (const refused of answers.filter((a) => a.status !== 200)) {
      expect(codeOf(refused)).toEqual({ status: 409, code: 'IDEMPOTENCY_CONFLICT' });
      expect(refused.body.error.details).toEqual({ recorded: made[0].body });
    }
    expect(await ordersOf(m.customerId)).toEqual([{ total_fen: made[0].body.orderAmountFen }]);
  });

  it('another clerk’s key of the same text is theirs: recorded for their member, nothing of the first told', async () => {
    const key = `cts-${unique()}`;
    const sun = await scanned('u_ck03', 'sto_018');
    const first = await sale('u_ck03', sun.token, key, 1_000);
    expect(first.status).toBe(200);
    const zhao = await scanned('u_ck02', 'sto_002');
    const theirs = await sale('u_ck02', zhao.token, key, 4_000);
    expect(theirs.status).toBe(200);
    expect(theirs.body.orderId).not.toBe(first.body.orderId);
    expect(JSON.stringify(theirs.body)).not.toContain(first.body.orderId);
    expect(await ordersOf(zhao.customerId)).toEqual([{ total_fen: 4_000 }]);
    expect(await ordersOf(sun.customerId)).toEqual([{ total_fen: 1_000 }]);
  });
});
