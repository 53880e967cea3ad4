/**
 * npm run demo -- [--members N] [--seed S] [--now YYYY-MM-DD] [--orders-mean X] [--truth FILE.csv] [--orders-csv FILE.csv]
 * --truth writes the identity evaluation's records; --orders-csv the POS and mall orders as an orders export
 * (`npm run import -- --kind orders`).
 *
 * Loads demo data into DATABASE_URL (Neon driver; NEON_WS_PROXY for a local server) or into the PGlite folder
 * PGLITE_DIR (default .data/pglite). One process owns a PGlite folder: while `npm start` has it open this refuses
 * with exit code 1 (dev/pglite-lock.ts). `--members 0` loads the chain alone (stores, staff, catalogue, partner
 * keys, coupon templates): what `npm run import` needs in a fresh database.
 */
import { migrateDatabase } from '../../functions/adapters/db/client.js';
import { flagNumber, flagString, parseFlags, UsageError } from '../bench/flags.js';
import { databaseConfigFromEnv, describeDatabase, exitOnDatabaseError, openLocalDatabase } from '../local-database.js';
import { DEMO_DEFAULTS, demoNow, generateDemo, loadDemo, writeIdentityTruthCsv, writeOrdersCsv } from './index.js';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const members = flagNumber(flags, 'members', DEMO_DEFAULTS.members);
  if (!Number.isInteger(members) || members < 0) throw new UsageError('--members must be a non-negative integer');
  const rawSeed = flagString(flags, 'seed', String(DEMO_DEFAULTS.seed));
  const seed = /^\d+$/.test(rawSeed) ? Number(rawSeed) : rawSeed;
  const nowFlag = flagString(flags, 'now');
  const now = nowFlag ? demoNow(new Date(`${nowFlag}T12:00:00+08:00`)) : demoNow(new Date());
  if (Number.isNaN(now.getTime())) throw new UsageError(`--now must be YYYY-MM-DD, got "${nowFlag}"`);
  const truth = flagString(flags, 'truth');
  const ordersCsv = flagString(flags, 'orders-csv');
  const data = generateDemo({ seed, members, now, ordersPerMemberMean: flagNumber(flags, 'orders-mean', 3) });

  const config = databaseConfigFromEnv();
  console.log(`demo: ${members} members, seed ${seed}, now ${now.toISOString()} -> ${describeDatabase(config)}`);

  const database = await openLocalDatabase(config);
  try {
    await migrateDatabase(database);
    let lastPrint = 0;
    const result = await loadDemo(database, data, {
      onProgress: (p) => {
        if (p.seconds - lastPrint < 1 && p.persons < members) return;
        lastPrint = p.seconds;
        const rate = Math.round(p.orderLines / Math.max(p.seconds, 0.001));
        console.log(
          `  ${p.persons}/${members} members, ${p.customers} customers, ${p.orderLines} order lines, ${p.seconds.toFixed(1)} s (${rate} lines/s)`,
        );
      },
    });
    const g = result.generated;
    const i = result.inserted;
    console.log(
      `done in ${result.seconds.toFixed(1)} s: ${result.persons} persons -> ${g.customers} customers (${i.customers} new), ` +
        `${g.identities} identities (${i.identities} new), ${g.sourceRecords} source records (${i.sourceRecords} new), ` +
        `${g.orders} orders (${i.orders} new), ${g.orderLines} order lines (${i.orderLines} new); ` +
        `fixtures new: ${JSON.stringify(result.fixtures)}`,
    );
  } finally {
    await database.close();
  }
  if (truth) {
    const rows = await writeIdentityTruthCsv(data, truth);
    console.log(`identity truth: ${rows} records -> ${truth}`);
  }
  if (ordersCsv) {
    const { orders, rows } = await writeOrdersCsv(data, ordersCsv);
    console.log(`orders export: ${orders} POS and mall orders, ${rows} rows -> ${ordersCsv}`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`demo: ${err.message}`);
    process.exit(2);
  }
  // the PGlite folder is open in another process (npm start), or a variable is wrong: one line, exit 1
  exitOnDatabaseError(err, 'demo: ');
  console.error(err);
  process.exit(1);
});
