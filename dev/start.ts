/**
 * `npm start`: the whole system on one machine with nothing installed: embedded PGlite persisted in .data/ (or the
 * PostgreSQL server at DATABASE_URL), migrations, demo data into an empty database, the WeChat simulator, the
 * functions and the H5 app.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureH5Build, H5_DIR, ROOT } from './h5-build.js';
import { assertDatabaseFree, databaseConfigFromEnv, describeDatabase, exitOnDatabaseError } from './local-database.js';
import { startSystem } from './system.js';

const DATA = join(ROOT, '.data');

/** Server variables (README, Configuration) `npm start` takes from its environment. */
const PASSED_ENV = [
  'DB_POOL_MAX',
  'DB_BATCH_IN_FLIGHT',
  'JWT_ISSUER',
  'ACCESS_TTL_SECONDS',
  'REFRESH_TTL_SECONDS',
  'LOG_LEVEL',
  'CRON_SECRET',
  'CALL_LOG_FLUSH_MS',
  'IMPORT_STEP_MS',
] as const;

function devSecret(): string {
  // a random key per checkout, kept so sessions survive a restart; production sets JWT_SECRET
  const file = join(DATA, 'jwt-secret');
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(DATA, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

async function main(): Promise<void> {
  // DATABASE_URL, NEON_WS_PROXY, DB_POOL_MAX, DB_BATCH_IN_FLIGHT as the functions parse them, or PGLITE_DIR
  const database = databaseConfigFromEnv();
  assertDatabaseFree(database); // before a build of minutes, not after
  ensureH5Build();
  const port = Number(process.env.PORT ?? 3000);
  const simPort = Number(process.env.SIM_PORT ?? 3100);
  const members = Number(process.env.DEMO_MEMBERS ?? 2000);
  const where = describeDatabase(database);
  console.log(
    database.kind === 'pglite' && database.dataDir && !existsSync(join(database.dataDir, 'PG_VERSION'))
      ? `creating the embedded database: ${where}…`
      : `opening ${where}…`,
  );
  const system = await startSystem({
    port,
    simPort,
    database,
    // the demo members go into an empty database only (none of its stores or customers), whichever it is
    seed: 'demo-if-empty',
    members,
    staticDir: H5_DIR,
    jwtSecret: devSecret(),
    log: true,
    // the server variables a developer may set (the WeChat ones are the simulator's, the database is above)
    env: Object.fromEntries(PASSED_ENV.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])),
  });
  const base = system.apiUrl.replace('127.0.0.1', 'localhost');
  console.log(`
MedLoop is running on ${where}.

  member app (H5)      ${base}/#/pages/index/index
  staff app / console  ${base}/#/staff/pages/login/index
  WeChat inbox (sim)   ${base}/__sim/inbox.html
  API health           ${base}/api/health
  WeChat simulator     ${system.simUrl} (server protocol: /sns/jscode2session, /cgi-bin/stable_token, …)

Demo staff log in through the simulator as 王芳 (店员), 李明 (药师), 刘洋 (店长) of 文三路店, 赵静 (店员, 古荡店),
孙磊 (店员, 北仑新碶店: no till connected, 扫码核销 records the sale for points), 周强 (区域经理), 陈敏 (总部).
Press Ctrl+C to stop.`);
  const stop = async () => {
    await system.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  // another process has the PGlite folder open, or a variable is wrong: one line, exit 1
  exitOnDatabaseError(error, 'npm start: ');
  console.error(error);
  process.exit(1);
});
