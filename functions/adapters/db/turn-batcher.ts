/**
 * Calls of one statement that arrive in the same event-loop turn share statements when there are more of them than
 * statements allowed to run at once.
 *
 * A server that falls behind (a GC pause, a burst) reads its backlog of requests in one poll phase. Without this,
 * each of them takes a pool connection and the database runs them as that many concurrent statements and commits,
 * competing for a few cores. Here the calls queued during the turn are sent after it (setImmediate) as
 * few statements, and at most `maxInFlight` statements run at once: the queued calls are spread over the free
 * slots (a statement carries several calls only when there are more calls than free slots), and calls that arrive
 * while all slots are taken queue for the next free one. So a backlog becomes a few larger batches, not many small
 * concurrent statements, while in light traffic each call takes the single statement (`runOne`) on its own
 * connection, exactly as without batching.
 *
 * `runBatch` must answer for every item, in order, with the same effects as running them one by one in that order
 * within one transaction. If it fails (any error rolls the whole batch back), each item is run alone with `runOne`,
 * so one bad item costs its own answer, never another's.
 */
export interface TurnBatcherOptions<I, O> {
  runOne(item: I): Promise<O>;
  runBatch(items: readonly I[]): Promise<O[]>;
  /** items per statement */
  maxBatch: number;
  /** statements running at once; more calls wait for the next one */
  maxInFlight: number;
  /** after a batch failed and before its items run alone (observability: a log line, a counter) */
  onBatchError?(error: unknown, size: number): void;
}

interface Pending<I, O> {
  item: I;
  resolve(value: O): void;
  reject(error: unknown): void;
}

export function turnBatcher<I, O>(opts: TurnBatcherOptions<I, O>): (item: I) => Promise<O> {
  if (!(opts.maxBatch >= 1 && opts.maxInFlight >= 1)) throw new RangeError('maxBatch and maxInFlight must be ≥ 1');
  const queue: Pending<I, O>[] = [];
  let scheduled = false;
  let inFlight = 0;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  function flush(): void {
    scheduled = false;
    while (queue.length > 0 && inFlight < opts.maxInFlight) {
      // spread the queue over the free slots: calls only share a statement when there are more than slots
      const size = Math.min(opts.maxBatch, Math.ceil(queue.length / (opts.maxInFlight - inFlight)));
      const taken = queue.splice(0, size);
      inFlight++;
      run(taken).finally(() => {
        inFlight--;
        if (queue.length > 0) schedule();
      });
    }
  }

  async function run(batch: Pending<I, O>[]): Promise<void> {
    if (batch.length === 1) return settle(batch[0]);
    let answers: O[];
    try {
      answers = await opts.runBatch(batch.map((p) => p.item));
      if (answers.length !== batch.length) {
        throw new Error(`batch answered ${answers.length} of ${batch.length} items`);
      }
    } catch (error) {
      opts.onBatchError?.(error, batch.length);
      await Promise.all(batch.map(settle));
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i].resolve(answers[i]);
  }

  async function settle(p: Pending<I, O>): Promise<void> {
    try {
      p.resolve(await opts.runOne(p.item));
    } catch (error) {
      p.reject(error);
    }
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
