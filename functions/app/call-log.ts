/**
 * The integration log's writer for single calls from partner systems (a till's redemption, an order, a member
 * lookup): HQ's health page counts them per source, so "last good sync" and the failures of the last 24 hours
 * include the tills' live traffic, not only batches. A busy server buffers the entries and writes them together
 * (one INSERT per `flushMs`, or sooner when `maxBuffered` wait), so a redemption does not pay a database write; a
 * serverless instance (`flushMs` 0) writes each entry right after its response is sent, since it may be frozen
 * once idle. A failed write is reported and dropped: the log describes calls, it never fails one.
 */
import type { IntegrationLogEntry } from '../adapters/db/repos/identity.repo.js';

export interface CallLog {
  /** Queues the entry; with `flushMs` 0 writes it now and returns that write (never rejects). */
  record(entry: IntegrationLogEntry): Promise<void> | undefined;
  /** Writes whatever is queued (a server closing, a test reading the log). */
  flush(): Promise<void>;
}

export function createCallLog(
  write: (entries: readonly IntegrationLogEntry[]) => Promise<void>,
  opts: { flushMs: number; maxBuffered?: number; onError: (error: unknown) => void },
): CallLog {
  const maxBuffered = opts.maxBuffered ?? 500;
  let queued: IntegrationLogEntry[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (queued.length === 0) return writing;
    const entries = queued;
    queued = [];
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
      queued.push(entry);
      if (opts.flushMs <= 0 || queued.length >= maxBuffered) return flush();
      if (!timer) {
        timer = setTimeout(flush, opts.flushMs);
        timer.unref?.();
      }
      return undefined;
    },
    flush,
  };
}
