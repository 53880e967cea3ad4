/**
 * turnBatcher: the calls of one event-loop turn are spread over the free slots (batches only when there are more
 * calls than slots); a lone call takes the single path; batches are capped in size and in how many run at once; a
 * failed batch answers each call from the single path.
 */
import { describe, expect, it } from 'vitest';
import { turnBatcher } from '../../../functions/adapters/db/turn-batcher.js';

/** a controllable database: records what ran, answers when released */
function fakeDb() {
  const ran: { kind: 'one' | 'batch'; items: number[] }[] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  let maxRunning = 0;
  let failBatches = false;
  const hold = async () => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    await new Promise<void>((resolve) => gates.push(resolve));
    running--;
  };
  return {
    ran,
    get maxRunning() {
      return maxRunning;
    },
    failBatches(v: boolean) {
      failBatches = v;
    },
    /** answer everything that is waiting, then let the answers settle */
    async releaseAll() {
      for (let i = 0; i < 20 && (gates.length > 0 || i === 0); i++) {
        for (const g of gates.splice(0)) g();
        await new Promise((r) => setImmediate(r));
      }
    },
    async runOne(item: number) {
      ran.push({ kind: 'one', items: [item] });
      await hold();
      if (item < 0) throw new Error(`bad item ${item}`);
      return item * 10;
    },
    async runBatch(items: readonly number[]) {
      ran.push({ kind: 'batch', items: [...items] });
      await hold();
      if (failBatches || items.some((i) => i < 0)) throw new Error('batch failed');
      return items.map((i) => i * 10);
    },
  };
}

describe('turnBatcher', () => {
  it('sends the calls of one turn as one batch, in order, and answers each its own result', async () => {
    const db = fakeDb();
    const call = turnBatcher({ ...db, maxBatch: 64, maxInFlight: 1 });
    const answers = Promise.all([1, 2, 3].map(call));
    await new Promise((r) => setImmediate(r));
    expect(db.ran).toEqual([{ kind: 'batch', items: [1, 2, 3] }]);
    await db.releaseAll();
    expect(await answers).toEqual([10, 20, 30]);
  });

  it('spreads a turn over the free slots: singles while there are slots enough, batches for the excess', async () => {
    const db = fakeDb();
    const call = turnBatcher({ ...db, maxBatch: 64, maxInFlight: 3 });
    const a = call(7);
    await new Promise((r) => setImmediate(r));
    // two slots left: two calls go alone
    const b = Promise.all([call(8), call(9)]);
    await new Promise((r) => setImmediate(r));
    expect(db.ran).toEqual([
      { kind: 'one', items: [7] },
      { kind: 'one', items: [8] },
      { kind: 'one', items: [9] },
    ]);
    await db.releaseAll();
    expect(await a).toBe(70);
    expect(await b).toEqual([80, 90]);
    // seven calls over three free slots: 3 + 2 + 2
    const c = Promise.all([1, 2, 3, 4, 5, 6, 7].map(call));
    await new Promise((r) => setImmediate(r));
    expect(db.ran.slice(3)).toEqual([
      { kind: 'batch', items: [1, 2, 3] },
      { kind: 'batch', items: [4, 5] },
      { kind: 'batch', items: [6, 7] },
    ]);
    await db.releaseAll();
    expect(await c).toEqual([10, 20, 30, 40, 50, 60, 70]);
  });

  it('a call alone in its turn takes the single statement; calls of different turns are different batches', async () => {
    const db = fakeDb();
    const call = turnBatcher({ ...db, maxBatch: 64, maxInFlight: 1 });
    const a = call(7);
    await new Promise((r) => setImmediate(r));
    const b = Promise.all([call(8), call(9)]);
    await db.releaseAll();
    expect(db.ran).toEqual([
      { kind: 'one', items: [7] },
      { kind: 'batch', items: [8, 9] },
    ]);
    expect(await a).toBe(70);
    expect(await b).toEqual([80, 90]);
  });

  it('caps a batch at maxBatch and the statements in flight at maxInFlight; the queue waits for the next one', async () => {
    const db = fakeDb();
    const call = turnBatcher({ ...db, maxBatch: 3, maxInFlight: 2 });
    const answers = Promise.all(Array.from({ length: 10 }, (_, i) => call(i + 1)));
    await new Promise((r) => setImmediate(r));
    // two batches of three run; four calls wait
    expect(db.ran).toEqual([
      { kind: 'batch', items: [1, 2, 3] },
      { kind: 'batch', items: [4, 5, 6] },
    ]);
    // calls that arrive while both run join the queue behind them
    const late = call(11);
    await db.releaseAll();
    expect(await answers).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(await late).toBe(110);
    expect(db.maxRunning).toBe(2);
    expect(db.ran.flatMap((r) => r.items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(db.ran.every((r) => r.items.length <= 3)).toBe(true);
  });

  it('a failed batch runs each call alone: one bad call fails alone, the others get their answers', async () => {
    const db = fakeDb();
    const errors: number[] = [];
    const call = turnBatcher({ ...db, maxBatch: 64, maxInFlight: 1, onBatchError: (_e, size) => errors.push(size) });
    const settled = Promise.allSettled([call(1), call(-2), call(3)]);
    await db.releaseAll();
    const results = await settled;
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([
      10,
      'bad item -2',
      30,
    ]);
    expect(errors).toEqual([3]);
    expect(db.ran).toEqual([
      { kind: 'batch', items: [1, -2, 3] },
      { kind: 'one', items: [1] },
      { kind: 'one', items: [-2] },
      { kind: 'one', items: [3] },
    ]);
  });

  it('a batch that answers the wrong number of rows is a failed batch', async () => {
    const db = fakeDb();
    const call = turnBatcher({
      ...db,
      runBatch: async (items: readonly number[]) => items.slice(1).map((i) => i * 10),
      maxBatch: 64,
      maxInFlight: 1,
    });
    const answers = Promise.all([call(1), call(2)]);
    await db.releaseAll();
    expect(await answers).toEqual([10, 20]);
    expect(db.ran).toEqual([
      { kind: 'one', items: [1] },
      { kind: 'one', items: [2] },
    ]);
  });

  it('refuses limits below one', () => {
    const db = fakeDb();
    expect(() => turnBatcher({ ...db, maxBatch: 0, maxInFlight: 1 })).toThrow(RangeError);
    expect(() => turnBatcher({ ...db, maxBatch: 1, maxInFlight: 0 })).toThrow(RangeError);
  });
});
