/**
 * Builds the H5 app when dist/h5 is missing or older than its sources, so `npm start` and the browser tests
 * never serve a stale build and never rebuild for nothing (a Taro H5 build takes ~1.5–3 min on a 2-core machine).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const H5_DIR = join(ROOT, 'dist/h5');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

export function h5IsStale(): boolean {
  const index = join(H5_DIR, 'index.html');
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  const sources = [
    'miniprogram',
    'shared',
    'config/index.ts',
    'config/dev.ts',
    'config/prod.ts',
    'babel.config.cjs',
    'package.json',
  ];
  return sources.some((s) => newestMtime(join(ROOT, s)) > built);
}

/** One H5 build at a time per checkout: parallel test runs would otherwise write dist/h5 together. */
function withBuildLock<T>(fn: () => T): T {
  const lock = join(ROOT, '.tmp', 'h5-build.lock');
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // a lock older than 5 minutes belongs to a build that died
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 5 * 60_000)
        rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function ensureH5Build(log: (msg: string) => void = console.log): void {
  if (!h5IsStale()) return;
  withBuildLock(() => buildH5(log));
}

function buildH5(log: (msg: string) => void): void {
  if (!h5IsStale()) return; // another process built it while we waited
  log('building the H5 app (taro build --type h5)…');
  const started = Date.now();
  // vitest sets NODE_ENV=test, which Taro's webpack config does not expect: build as production always
  const env = { ...process.env, NODE_ENV: 'production' };
  try {
    execFileSync('npx', ['taro', 'build', '--type', 'h5'], {
      cwd: ROOT,
      env,
      stdio: 'pipe',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const e = error as { stdout?: Buffer; stderr?: Buffer };
    console.error(`${e.stdout?.toString().slice(-4000) ?? ''}\n${e.stderr?.toString().slice(-4000) ?? ''}`);
    throw new Error('the H5 build failed (output above)');
  }
  log(`H5 app built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
