/**
 * npm run db:migrate: applies the migrations (functions/adapters/db/migrations) to the PostgreSQL database at
 * DATABASE_URL, through the Neon driver as the functions reach it (NEON_WS_PROXY for a local server), and prints
 * which it applied. Idempotent: a second run applies nothing. The functions never migrate at request time; this is
 * the deploy step. (The embedded PGlite needs none of this: `npm start`, `npm run import` and `npm run demo`
 * migrate it when they open it.)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Database, MIGRATIONS_FOLDER, migrateDatabase } from '../functions/adapters/db/client.js';
import { databaseConfigFromEnv, describeDatabase, exitOnDatabaseError, openLocalDatabase } from './local-database.js';

interface JournalEntry {
  when: number;
  tag: string;
}

/** The created_at (the journal's `when`) of each migration the database has applied; none before the first. */
async function appliedMigrations(database: Database): Promise<Set<string>> {
  const [table] = await database.exec(`select to_regclass('drizzle.__drizzle_migrations') is not null as present`);
  if (table?.present !== true) return new Set();
  const rows = await database.exec('select created_at::text as at from drizzle.__drizzle_migrations');
  return new Set(rows.map((r) => String(r.at)));
}

async function main(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    console.error(
      'db:migrate: set DATABASE_URL to the database to migrate (and NEON_WS_PROXY=127.0.0.1:PORT for a local server, ' +
        'as `npm run pg:start` prints); the embedded PGlite is migrated by npm start itself',
    );
    process.exit(2);
  }
  const config = databaseConfigFromEnv();
  const where = describeDatabase(config);
  const journal = (
    JSON.parse(readFileSync(join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as { entries: JournalEntry[] }
  ).entries;
  const tagOf = new Map(journal.map((e) => [String(e.when), e.tag]));
  const database = await openLocalDatabase(config);
  try {
    const before = await appliedMigrations(database);
    console.log(`db:migrate: ${where}: ${before.size} of ${journal.length} migrations applied before`);
    await migrateDatabase(database);
    const after = await appliedMigrations(database);
    const applied = journal.filter((e) => after.has(String(e.when)) && !before.has(String(e.when)));
    for (const e of applied) console.log(`  applied ${e.tag}`);
    const unknown = [...after].filter((at) => !tagOf.has(at));
    if (unknown.length > 0)
      console.log(
        `  note: the database has ${unknown.length} migration${unknown.length === 1 ? '' : 's'} this checkout does not know (a newer version migrated it)`,
      );
    const newest = journal.filter((e) => after.has(String(e.when))).at(-1)?.tag ?? 'none';
    console.log(
      applied.length > 0
        ? `db:migrate: applied ${applied.length} migration${applied.length === 1 ? '' : 's'}; the database is at ${newest}`
        : `db:migrate: nothing to apply; the database is at ${newest}`,
    );
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  exitOnDatabaseError(error, 'db:migrate: ');
  console.error(error);
  process.exit(1);
});
