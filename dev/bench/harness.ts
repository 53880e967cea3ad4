/**
 * The shared shape of `npm run bench -- NAME` and `npm run eval -- NAME`: a registry of named runs, human progress
 * on stdout, then exactly one JSON object of figures as the LAST stdout line (what CI and scripts parse).
 */
import { type Flags, parseFlags, UsageError } from './flags.js';

export interface Run {
  description: string;
  run(flags: Flags): Promise<Record<string, unknown>>;
}

export type Registry = Record<string, Run>;

export async function runFromCommandLine(kind: 'bench' | 'eval', registry: Registry, argv: readonly string[]) {
  const flags = parseFlags(argv);
  const name = flags.positional[0];
  const entry = name === undefined ? undefined : registry[name];
  if (!entry) {
    const names = Object.keys(registry);
    console.error(name === undefined ? `usage: npm run ${kind} -- NAME [--flags]` : `unknown ${kind} "${name}"`);
    console.error(
      names.length === 0
        ? `no ${kind}s are registered yet (add one to dev/${kind}/index.ts)`
        : `available ${kind === 'bench' ? 'benches' : 'evals'}:\n${names.map((n) => `  ${n.padEnd(14)} ${registry[n].description}`).join('\n')}`,
    );
    process.exit(2);
  }
  try {
    const figures = await entry.run(flags);
    // the contract: the figures are the last line on stdout, one JSON object
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    process.exit(0);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${kind} ${name}: ${err.message}`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  }
}

/** Benches measure the production driver against a real server; PGlite figures would mislead. */
export function requireDatabaseUrl(): { url: string; wsProxy?: string } {
  const url = process.env.DATABASE_URL;
  if (!url) {
    throw new UsageError(
      'DATABASE_URL is not set. Benchmarks run against a real PostgreSQL server: start one with `npm run pg:start` ' +
        '(a local PostgreSQL 15 on 127.0.0.1:54329) and export the DATABASE_URL and NEON_WS_PROXY lines it prints.',
    );
  }
  return { url, wsProxy: process.env.NEON_WS_PROXY || undefined };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
