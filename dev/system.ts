/**
 * The whole system in one process: database (PGlite owned here, its folder claimed for this process:
 * dev/pglite-lock.ts; or PostgreSQL through the Neon driver), migrations, demo data, the WeChat simulator on its own
 * port (the functions reach it over real HTTP, as they would reach api.weixin.qq.com), and the local server with the
 * functions and the H5 build.
 */
import { randomBytes } from 'node:crypto';
import { parseServerEnv } from '../config/env.js';
import type { Clock } from '../functions/adapters/clock.js';
import { type Database, type DatabaseConfig, migrateDatabase } from '../functions/adapters/db/client.js';
import { buildDeps, type Deps, installDeps } from '../functions/app/deps.js';
import { linkAll } from '../functions/app/identity/link-all.js';
import { computeQuality, IMPORT_ACTOR } from '../functions/app/identity/quality.js';
import { DEMO_SIM_USERS } from './demo/fixtures.js';
import { generateDemo } from './demo/generate.js';
import { demoNow } from './demo/index.js';
import { loadDemo, loadDemoFixtures } from './demo/load.js';
import { openLocalDatabase } from './local-database.js';
import { type LocalServerOptions, startLocalServer } from './server.js';
import { createWeChatSimulator } from './wechat-sim/simulator.js';
import type { WeChatSimulator } from './wechat-sim/simulator.types.js';

export const DEMO_APPID = 'wxmedloopdemo0001';
const SIM_SECRET = 'medloop-simulator-app-secret';

export interface SystemOptions {
  port?: number;
  simPort?: number;
  database: DatabaseConfig | Database;
  /**
   * 'demo': fixtures + generated members; 'fixtures': stores, staff, catalogue only; 'none': empty;
   * 'demo-if-empty' (`npm start`): 'demo' into a database with no stores and no customers, else 'fixtures'
   */
  seed?: 'demo' | 'fixtures' | 'none' | 'demo-if-empty';
  members?: number;
  staticDir?: string;
  log?: boolean;
  clock?: Clock;
  jwtSecret?: string;
  env?: Record<string, string | undefined>;
  /** see LocalServerOptions.extraRoutes */
  extraRoutes?: LocalServerOptions['extraRoutes'];
}

export interface RunningSystem {
  apiUrl: string;
  simUrl: string;
  sim: WeChatSimulator;
  deps: Deps;
  database: Database;
  /** what was loaded ('demo-if-empty' resolved) */
  seeded: 'demo' | 'fixtures' | 'none';
  close(): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const database = 'db' in options.database ? options.database : await openLocalDatabase(options.database);
  try {
    return await startOn(database, options);
  } catch (error) {
    if (!('db' in options.database)) await database.close().catch(() => {});
    throw error;
  }
}

/** No stores and no customers: nothing was ever loaded or imported (a fresh folder or server database). */
export async function isEmptyDatabase(database: Database): Promise<boolean> {
  const [row] = await database.exec(
    'select not exists (select 1 from stores) and not exists (select 1 from customers) as empty',
  );
  return row?.empty === true;
}

async function startOn(database: Database, options: SystemOptions): Promise<RunningSystem> {
  await migrateDatabase(database);
  let seed = options.seed ?? 'fixtures';
  if (seed === 'demo-if-empty') {
    seed = (await isEmptyDatabase(database)) ? 'demo' : 'fixtures';
    if (options.log)
      console.log(
        seed === 'demo'
          ? `the database is empty: loading the demo chain with ${options.members ?? 2000} members…`
          : 'the database has data: no demo members loaded (the demo stores, staff and catalogue are topped up)',
      );
  }
  if (seed === 'fixtures') await loadDemoFixtures(database);
  if (seed === 'demo') {
    const now = demoNow(options.clock?.now() ?? new Date());
    await loadDemo(database, generateDemo({ seed: 20261125, members: options.members ?? 2000, now }));
    // the demo arrives as the chain's islands (one customer per card/account); link them as a migration would
    const linked = await linkAll(database, { now, actorId: 'demo-migration' });
    if (options.log) console.log(`linked the demo data: ${linked.merges} merges, ${linked.suggestions} suggestions`);
    // and report its data quality, as the end of a batch import does, so HQ's page has figures from the start
    await computeQuality(database.db, { actorId: IMPORT_ACTOR, now: () => now, minIntervalMs: 0 });
  }

  const sim = createWeChatSimulator({
    apps: [{ appid: DEMO_APPID, secret: SIM_SECRET }],
    users: DEMO_SIM_USERS.map((u) => ({ ...u })),
    now: options.clock ? () => options.clock!.now().getTime() : undefined,
  });
  const simServer = await sim.listen(options.simPort ?? 0);

  const env = parseServerEnv({
    NODE_ENV: 'development',
    JWT_SECRET: options.jwtSecret ?? randomBytes(32).toString('base64url'),
    WECHAT_API_BASE: simServer.url,
    WECHAT_APPID: DEMO_APPID,
    WECHAT_SECRET: SIM_SECRET,
    LOG_LEVEL: options.log ? 'info' : 'silent',
    ...options.env,
  });
  const deps = await buildDeps(env, { database, clock: options.clock });
  installDeps(deps);

  const server = await startLocalServer({
    port: options.port ?? 0,
    staticDir: options.staticDir,
    simulator: (req, res) => sim.handle(req, res),
    extraRoutes: options.extraRoutes,
  });
  return {
    apiUrl: server.url,
    simUrl: simServer.url,
    sim,
    deps,
    database,
    seeded: seed,
    close: async () => {
      await server.close();
      await deps.callLog.flush();
      await simServer.close();
      if (!('db' in options.database)) await database.close();
    },
  };
}
