/** The demo-data entry points other dev code uses (`npm start`, the benches, the evals). */
import type { Database } from '../../functions/adapters/db/client.js';
import { generateDemo } from './generate.js';
import { type LoadDemoResult, type LoadProgress, loadDemo } from './load.js';

export * from './catalogue.js';
export * from './fixtures.js';
export * from './generate.js';
export * from './load.js';

/** What `npm start` loads: small enough for PGlite to take it in a couple of seconds. */
export const DEMO_DEFAULTS = { seed: 20240601, members: 2000 } as const;

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

/**
 * Midnight of the current Shanghai day, as an instant: the demo's "now". Rounding to the day keeps every start on
 * the same day byte-identical (so re-loading is a no-op) while refill dates stay close to the real today.
 */
export function demoNow(at: Date): Date {
  const day = Math.floor((at.getTime() + SHANGHAI_OFFSET_MS) / DAY_MS);
  return new Date(day * DAY_MS - SHANGHAI_OFFSET_MS);
}

export interface SeedDemoOptions {
  seed?: number | string;
  members?: number;
  /** defaults to demoNow(new Date()) */
  now?: Date;
  onProgress?: (progress: LoadProgress) => void;
}

/** Fixtures plus generated members into a migrated database; safe to call on every start. */
export async function seedDemo(database: Database, options: SeedDemoOptions = {}): Promise<LoadDemoResult> {
  const data = generateDemo({
    seed: options.seed ?? DEMO_DEFAULTS.seed,
    members: options.members ?? DEMO_DEFAULTS.members,
    now: options.now ?? demoNow(new Date()),
  });
  return loadDemo(database, data, { onProgress: options.onProgress });
}
