/**
 * Proves the deployment path: builds the functions with Vercel's own builder offline, copies the output to a
 * folder with no node_modules above it (so a package the tracer missed fails here, not in production), runs
 * every built function in a plain Node server, and sends smoke requests. An import that works under tsx but
 * breaks as native ESM (a missing `.js` extension, an untraced file) fails this script.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrateDatabase, openDatabase } from '../functions/adapters/db/client.js';
import { dropDatabase } from './identity/drop-database.js';
import { createWeChatSimulator } from './wechat-sim/simulator.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APPID = 'wxsmoke000000001';
const SECRET = 'smoke-secret';

function findFuncs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (name.endsWith('.func')) out.push(full);
    else if (statSync(full).isDirectory()) out.push(...findFuncs(full));
  }
  return out;
}

const LAUNCHER = `
import { createServer } from 'node:http';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
const funcs = JSON.parse(process.argv[2]);
const routes = [];
for (const f of funcs) {
  const mod = await import(pathToFileURL(join(f.dir, f.handler)).href);
  const pattern = new RegExp('^' + f.route.replace(/\\[\\.\\.\\.\\w+\\]/g, '.+').replace(/\\[\\w+\\]/g, '[^/]+') + '$');
  routes.push({ pattern, handler: mod.default });
}
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  const r = routes.find((r) => r.pattern.test(path));
  if (!r) { res.statusCode = 404; return res.end(); }
  Promise.resolve(r.handler(req, res)).catch((e) => { console.error(e); res.statusCode = 502; res.end(); });
});
server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
`;

async function main(): Promise<void> {
  execFileSync('npx', ['tsx', 'dev/gen-api.ts', '--check'], { cwd: ROOT, stdio: 'inherit' });
  mkdirSync(join(ROOT, '.vercel'), { recursive: true });
  writeFileSync(
    join(ROOT, '.vercel/project.json'),
    JSON.stringify({ projectId: 'prj_local', orgId: 'team_local', settings: { framework: null, nodeVersion: '24.x' } }),
  );
  if (!process.argv.includes('--no-build')) {
    const started = Date.now();
    execFileSync('npx', ['vercel', 'build', '--prod', '--yes'], {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, VERCEL_INSTALL_COMPLETED: '1', VERCEL_TELEMETRY_DISABLED: '1' },
    });
    console.log(`vercel build: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const work = mkdtempSync(join(tmpdir(), 'medloop-vercel-'));
  cpSync(join(ROOT, '.vercel/output'), join(work, 'output'), { recursive: true, dereference: true });
  const funcsDir = join(work, 'output/functions');
  const funcs = findFuncs(funcsDir).map((dir) => {
    const config = JSON.parse(readFileSync(join(dir, '.vc-config.json'), 'utf8'));
    // files a function lists in `filePathMap` (vercel.json includeFiles) are uploaded with it from the project:
    // put them where the deployment would, so a function that reads one fails here if the map misses it
    for (const [inFunction, inProject] of Object.entries((config.filePathMap ?? {}) as Record<string, string>)) {
      mkdirSync(dirname(join(dir, inFunction)), { recursive: true });
      cpSync(join(ROOT, inProject), join(dir, inFunction));
    }
    const route = `/${relative(funcsDir, dir)
      .split(sep)
      .join('/')
      .replace(/\.func$/, '')}`;
    return {
      dir,
      handler: config.handler as string,
      route,
      runtime: config.runtime as string,
      maxDuration: config.maxDuration as number | undefined,
    };
  });
  const expectedRoutes = readdirSync(join(ROOT, 'api'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => `/api/${f.replace(/\.ts$/, '').split(sep).join('/')}`);
  const missing = expectedRoutes.filter((r) => !funcs.some((f) => f.route === r));
  if (missing.length) throw new Error(`vercel build produced no function for: ${missing.join(', ')}`);
  console.log(`built functions: ${funcs.length} (${funcs[0]?.runtime})`);
  // vercel.json's time limits reached the build: 15 s for every function, 60 s for the data-quality refresh and the
  // nightly jobs (one pass over every member record, 6–8 s at 10^6) and for the steps of a file HQ uploads
  const long = new Set([
    '/api/staff/identity/quality/refresh',
    '/api/staff/identity/imports/upload',
    '/api/staff/identity/imports/continue',
    '/api/jobs/data-quality',
    '/api/jobs/purge-integration-log',
  ]);
  const limits = (route: string) => (long.has(route) ? 60 : 15);
  const wrongLimit = funcs.filter((f) => f.maxDuration !== limits(f.route));
  if (wrongLimit.length)
    throw new Error(
      `maxDuration not as vercel.json says for: ${wrongLimit.map((f) => `${f.route} (${f.maxDuration})`).join(', ')}`,
    );
  const size = execFileSync('du', ['-sh', funcsDir]).toString().split('\t')[0];
  console.log(`functions output size: ${size}`);

  const sim = createWeChatSimulator({
    apps: [{ appid: APPID, secret: SECRET }],
    users: [{ id: 'u1', nickname: '烟测', phone: '13700000001' }],
  });
  const simServer = await sim.listen(0);
  const databaseUrl = process.env.DATABASE_URL;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    JWT_SECRET: randomBytes(32).toString('base64url'),
    WECHAT_API_BASE: simServer.url,
    WECHAT_APPID: APPID,
    WECHAT_SECRET: SECRET,
    LOG_LEVEL: 'warn',
  };
  let cleanup = async () => {};
  if (databaseUrl) {
    const name = `medloop_smoke_${randomBytes(4).toString('hex')}`;
    const admin = await openDatabase({ kind: 'neon', url: databaseUrl, wsProxy: process.env.NEON_WS_PROXY });
    await admin.exec(`create database ${name}`);
    const url = new URL(databaseUrl);
    url.pathname = `/${name}`;
    const target = await openDatabase({ kind: 'neon', url: url.toString(), wsProxy: process.env.NEON_WS_PROXY });
    await migrateDatabase(target);
    await target.close();
    env.DATABASE_URL = url.toString();
    if (process.env.NEON_WS_PROXY) env.NEON_WS_PROXY = process.env.NEON_WS_PROXY;
    cleanup = async () => {
      await dropDatabase(admin, name);
      await admin.close();
    };
  } else {
    const dir = join(work, 'pglite');
    const db = await openDatabase({ kind: 'pglite', dataDir: dir });
    await migrateDatabase(db);
    await db.close();
    env.PGLITE_DIR = dir;
  }

  writeFileSync(join(work, 'launcher.mjs'), LAUNCHER);
  const child = spawn(process.execPath, [join(work, 'launcher.mjs'), JSON.stringify(funcs)], { cwd: work, env });
  let failed = 0;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /LISTENING (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.stderr.on('data', (d) => process.stderr.write(d));
      child.on('exit', (code) => reject(new Error(`launcher exited with ${code}: a built function failed to load`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const check = async (
      name: string,
      path: string,
      init: RequestInit,
      // biome-ignore lint/suspicious/noExplicitAny: the answer's JSON, probed field by field by each check
      expect: (status: number, body: any) => boolean,
    ) => {
      const res = await fetch(base + path, init);
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const ok = expect(res.status, body);
      if (!ok) failed++;
      console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${res.status} ${text.slice(0, 160)}`);
    };
    // every function loads and answers through its wrapper (a wrong method proves the module graph resolved)
    for (const f of funcs) {
      const path = f.route.replace(/\[[^\]]+\]/g, 'smoke');
      await check(
        `${f.route} loads`,
        path,
        { method: 'PATCH' },
        (s, b) => s === 405 && b?.error?.code === 'METHOD_NOT_ALLOWED',
      );
    }
    await check('health', '/api/health', {}, (s, b) => s === 200 && b.status === 'ok' && b.db === 'ok');
    await check('ping', '/api/ping', {}, (s, b) => s === 200 && b.pong === true);
    const json = { 'content-type': 'application/json' };
    await check(
      'bad json',
      '/api/auth/wx-login',
      { method: 'POST', headers: json, body: '{' },
      (s, b) => s === 400 && b.error.code === 'BAD_JSON',
    );
    const code = sim.issueLoginCode(APPID, 'u1');
    let token = '';
    await check(
      'wx-login through the simulator',
      '/api/auth/wx-login',
      { method: 'POST', headers: json, body: JSON.stringify({ code }) },
      (s, b) => {
        token = b?.accessToken ?? '';
        return s === 200 && typeof b.accessToken === 'string';
      },
    );
    await check(
      'me with the session',
      '/api/me',
      { headers: { authorization: `Bearer ${token}` } },
      (s, b) => s === 200 && b.registered === false,
    );
    await check('me without a session', '/api/me', {}, (s, b) => s === 401 && b.error.code === 'UNAUTHENTICATED');
  } finally {
    child.kill();
    await simServer.close();
    await cleanup();
    rmSync(work, { recursive: true, force: true });
  }
  if (failed) {
    console.error(`vercel smoke: ${failed} checks failed`);
    process.exit(1);
  }
  console.log('vercel smoke: all checks passed');
  process.exit(0);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
