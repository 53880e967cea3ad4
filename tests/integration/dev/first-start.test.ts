/**
 * `npm start` loads the demo members into an empty database only, decided from the database it opens (no stores and
 * no customers), not from whether the PGlite folder exists: a PostgreSQL database at DATABASE_URL that has data keeps
 * it, and an empty one gets the demo.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadDemoFixtures } from '../../../dev/demo/load.js';
import { isEmptyDatabase, startSystem } from '../../../dev/system.js';
import { fixedClock } from '../../../functions/adapters/clock.js';
import type { Database } from '../../../functions/adapters/db/client.js';
import { openTestDatabase } from '../../support/database.js';

const clock = fixedClock('2026-11-25T02:00:00Z');
const opened: Database[] = [];
afterAll(async () => {
  for (const d of opened) await d.close();
});

async function count(database: Database, table: string): Promise<number> {
  const [row] = await database.exec(`select count(*)::int as n from ${table}`);
  return Number(row.n);
}

async function start(database: Database) {
  const system = await startSystem({ database, seed: 'demo-if-empty', members: 3, clock });
  await system.close();
  return system.seeded;
}

describe("npm start's first start", () => {
  it('loads the demo into an empty database, and only the fixtures on the next start', async () => {
    const database = await openTestDatabase();
    opened.push(database);
    expect(await isEmptyDatabase(database)).toBe(true);
    expect(await start(database)).toBe('demo');
    const customers = await count(database, 'customers');
    expect(customers).toBeGreaterThan(0);
    expect(await isEmptyDatabase(database)).toBe(false);
    expect(await start(database)).toBe('fixtures');
    expect(await count(database, 'customers')).toBe(customers);
  }, 120_000);

  it('loads no demo members into a database that has the chain but no members yet (npm run demo -- --members 0)', async () => {
    const database = await openTestDatabase();
    opened.push(database);
    await loadDemoFixtures(database);
    expect(await start(database)).toBe('fixtures');
    expect(await count(database, 'customers')).toBe(0);
  }, 60_000);
});
