/**
 * Replays the linking rules over a cached linked base without importing again (seconds instead of minutes), to try a
 * rule change in shared/identity/link.rules.ts:
 *
 *   npm run eval -- identity --members 100000 --explain --cache /tmp/gaps.json   # once: link, analyse, cache
 *   npx tsx dev/identity/recall-gaps-cli.ts /tmp/gaps.json [--examples 3]         # after each rule change
 *
 * The database figures in the cache stay what they were; the "TypeScript rules replayed" part follows the code.
 */
import { readFile } from 'node:fs/promises';
import { round } from '../bench/harness.js';
import { scorePairs } from '../eval/identity.eval.js';
import { analyzeGaps, type GapCache, printRecallGaps } from './recall-gaps.js';

const [file, ...rest] = process.argv.slice(2);
if (!file) throw new Error('usage: recall-gaps-cli.ts CACHE.json [--examples N]');
const examplesAt = rest.indexOf('--examples');
const examples = examplesAt >= 0 ? Number(rest[examplesAt + 1]) : 0;
const cache = JSON.parse(await readFile(file, 'utf8')) as GapCache;
const truth = new Map(cache.truth);
const report = analyzeGaps(cache.data, {
  truth,
  recordOf: new Map(cache.recordOf),
  components: new Map(cache.components),
  today: cache.today,
  examples,
});
printRecallGaps(report);
const replica = scorePairs(truth, report.replica);
console.log(
  JSON.stringify({
    replica_precision: round(replica.precision, 5),
    replica_recall: round(replica.recall, 5),
    replica_false_merges: replica.falseMerges,
    predicted_pairs: replica.predictedPairs,
    correct_pairs: replica.correctPairs,
  }),
);
