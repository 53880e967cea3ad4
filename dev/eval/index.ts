/**
 * npm run eval -- NAME [--flags]
 * Quality evaluations (identity linking against the demo ground truth, tag rules against their SQL…), same shape
 * as the benches: progress lines, then one JSON object of figures as the last stdout line.
 */
import { type Registry, runFromCommandLine } from '../bench/harness.js';
import { identityEval } from './identity.eval.js';

const EVALS: Registry = {
  identity: {
    description: 'identity linking vs labelled records (--input FILE.csv, default: demo truth at 100k members)',
    run: identityEval,
  },
};

await runFromCommandLine('eval', EVALS, process.argv.slice(2));
