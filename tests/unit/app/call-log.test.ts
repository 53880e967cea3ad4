import { describe, expect, it, vi } from 'vitest';
import type { IntegrationLogEntry } from '../../../functions/adapters/db/repos/identity.repo.js';
import { createCallLog } from '../../../functions/app/call-log.js';

const entry = (n: number): IntegrationLogEntry => ({
  at: new Date(0),
  source: 'pos',
  direction: 'inbound',
  operation: `op${n}`,
  keyId: 'k',
  storeId: null,
  status: 'ok',
  latencyMs: 1,
  records: 1,
  accepted: 1,
  rejected: 0,
  error: null,
  requestId: null,
  summary: null,
});

describe('createCallLog', () => {
  it('buffers calls and writes them together once the period is over', async () => {
    vi.useFakeTimers();
    try {
      const writes: string[][] = [];
      const log = createCallLog(async (es) => void writes.push(es.map((e) => e.operation)), {
        flushMs: 1000,
        onError: () => {},
      });
      for (let i = 0; i < 3; i++) expect(log.record(entry(i))).toBeUndefined();
      expect(writes).toEqual([]);
      await vi.advanceTimersByTimeAsync(999);
      expect(writes).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(writes).toEqual([['op0', 'op1', 'op2']]);
      log.record(entry(3));
      await log.flush();
      expect(writes).toEqual([['op0', 'op1', 'op2'], ['op3']]);
    } finally {
      vi.useRealTimers();
    }
  });

  it('folds alike calls of one period into one row: how many, the slowest, the latest', async () => {
    const written: IntegrationLogEntry[][] = [];
    const log = createCallLog(async (es) => void written.push([...es]), { flushMs: 60_000, onError: () => {} });
    const call = (latencyMs: number, at: number, over: Partial<IntegrationLogEntry> = {}) =>
      log.record({ ...entry(0), latencyMs, at: new Date(at), requestId: `req${at}`, ...over });
    call(3, 1000);
    call(9, 3000);
    call(4, 2000);
    // another outcome, another store: rows of their own
    call(5, 2500, { status: 'failed', accepted: 0, rejected: 1, error: 'SIGNATURE_EXPIRED: clock' });
    call(2, 2600, { storeId: 'sto_002' });
    await log.flush();
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject([
      {
        operation: 'op0',
        storeId: null,
        status: 'ok',
        calls: 3,
        records: 3,
        accepted: 3,
        rejected: 0,
        latencyMs: 9,
        at: new Date(3000),
        requestId: null,
      },
      { status: 'failed', calls: 1, rejected: 1, error: 'SIGNATURE_EXPIRED: clock', requestId: 'req2500' },
      { storeId: 'sto_002', calls: 1, requestId: 'req2600' },
    ]);
  });

  it('writes each call at once with a period of 0', async () => {
    const each: number[] = [];
    const now = createCallLog(async (es) => void each.push(es.length), { flushMs: 0, onError: () => {} });
    await now.record(entry(0));
    await now.record(entry(0));
    expect(each).toEqual([1, 1]);
  });

  it('reports a failed write and goes on', async () => {
    const errors: unknown[] = [];
    let fail = true;
    const written: number[] = [];
    const log = createCallLog(
      async (es) => {
        if (fail) throw new Error('database away');
        written.push(es.length);
      },
      { flushMs: 0, onError: (e) => errors.push(e) },
    );
    await expect(log.record(entry(0))).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    fail = false;
    await log.record(entry(1));
    expect(written).toEqual([1]);
  });
});
