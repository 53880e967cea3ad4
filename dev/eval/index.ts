/**
 * npm run eval -- NAME [--flags]
 * Quality evaluations (identity linking against the demo ground truth, tag rules against their SQL…), same shape
 * as the benches: progress lines, then one JSON object of figures as the last stdout line.
 */
import { type Registry, runFromCommandLine } from '../bench/harness.js';

const EVALS: Registry = {};

await runFromCommandLine('eval', EVALS, process.argv.slice(2));
