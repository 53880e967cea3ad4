/**
 * The integration log's writer for single calls from partner systems (a till's redemption, an order, a member
 * lookup): HQ's health page counts them per source and store, so "last good sync" and the failures of the last 24
 * hours include the tills' live traffic, not only batches.
 *
 * A busy server folds the calls of one period (`flushMs`) into one row per source, key, store, operation, outcome
 * and error (`calls` = how many, `latency_ms` = the slowest, `at` = the latest) and writes those rows in one INSERT.
 * Measured with `npm run bench -- redemption --rate 1000`: a row per call cost PostgreSQL 13–18 ms per flush of
 * 500 and made the redemption's tail worse; folded, a flush is a few rows. A serverless instance (`flushMs` 0)
 * writes each call right after its response, since it may be frozen once idle. A failed write is reported and
 * dropped: the log describes calls, it never fails one.
 */
import type { IntegrationLogEntry } from '../adapters/db/repos/identity.repo.js';

export interface CallLog {
  /** Counts the call in; with `flushMs` 0 writes it now and returns that write (never rejects). */
  record(entry: IntegrationLogEntry): Promise<void> | undefined;
  /** Writes whatever is waiting (a server closing, a test reading the log). */
  flush(): Promise<void>;
}

const MAX_GROUPS = 1000;

/** What makes two calls one row. */
function groupKey(e: IntegrationLogEntry): string {
  return [
    e.source,
    e.direction,
    e.operation,
    e.keyId ?? '',
    e.storeId ?? '',
    e.status,
    e.error ?? '',
    e.summary === null ? '' : JSON.stringify(e.summary),
  ].join('\u0001');
}

export function createCallLog(
  write: (entries: readonly IntegrationLogEntry[]) => Promise<void>,
  opts: { flushMs: number; onError: (error: unknown) => void },
): CallLog {
  let groups = new Map<string, IntegrationLogEntry>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (groups.size === 0) return writing;
    const entries = [...groups.values()];
    groups = new Map();
    // one write at a time, in order
    writing = writing.then(() =>
      write(entries).then(
        () => undefined,
        (error: unknown) => {
          opts.onError(error);
        },
      ),
    );
    return writing;
  };

  return {
    record(entry) {
      const key = groupKey(entry);
      const g = groups.get(key);
      if (g) {
        g.calls = (g.calls ?? 1) + (entry.calls ?? 1);
        g.records += entry.records;
        g.accepted += entry.accepted;
        g.rejected += entry.rejected;
        if (entry.latencyMs > g.latencyMs) g.latencyMs = entry.latencyMs;
        if (entry.at > g.at) g.at = entry.at;
        // one request id stands for one call
        g.requestId = null;
      } else groups.set(key, { ...entry, calls: entry.calls ?? 1 });
      // calls that differ in every error message (a till retrying with a drifting clock) still make bounded rows
      if (opts.flushMs <= 0 || groups.size >= MAX_GROUPS) return flush();
      if (!timer) {
        timer = setTimeout(flush, opts.flushMs);
        timer.unref?.();
      }
      return undefined;
    },
    flush,
  };
}
