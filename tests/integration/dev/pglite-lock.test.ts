/**
 * One process per PGlite folder (dev/pglite-lock.ts): a claimed folder is refused to a second claim, in this
 * process or another (the import and demo command lines exit 1 with the one-line message instead of opening it),
 * a lock whose process is gone is taken over, and a release, a close or a SIGTERM frees it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openLocalDatabase } from '../../../dev/local-database.js';
import { claimPgliteDir, PgliteBusyError, pgliteLockFile } from '../../../dev/pglite-lock.js';

const ROOT = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'medloop-lock-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
const freshDir = () => join(work, `pglite-${++n}`);

/** The environment of a dev command on PGlite folder `dir`: no server database, not started by npm. */
function childEnv(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: dir };
  for (const k of ['DATABASE_URL', 'NEON_WS_PROXY', 'npm_lifecycle_event']) delete env[k];
  return env;
}

function runScript(script: string, args: string[], dir: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, script), ...args], {
    cwd: ROOT,
    env: childEnv(dir),
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** A process that claims `dir` and holds it until it is signalled. */
async function holder(dir: string): Promise<ChildProcess> {
  const lock = new URL('../../../dev/pglite-lock.ts', import.meta.url).href;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      `const { claimPgliteDir } = await import(${JSON.stringify(lock)});
       claimPgliteDir(${JSON.stringify(dir)}, 'npm start');
       console.log('claimed');
       setInterval(() => {}, 1000);`,
    ],
    { cwd: ROOT, env: childEnv(dir), stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes('claimed') && resolve());
    child.on('exit', (code) => reject(new Error(`the holder exited (${code}) before claiming`)));
  });
  return child;
}

function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('claimPgliteDir', () => {
  it('refuses a folder another live process holds, naming it, until that process stops (SIGTERM releases)', async () => {
    const dir = freshDir();
    const child = await holder(dir);
    try {
      let refusal: unknown;
      try {
        claimPgliteDir(dir);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(PgliteBusyError);
      expect((refusal as PgliteBusyError).pid).toBe(child.pid);
      expect((refusal as Error).message).toContain(`is open in another process (pid ${child.pid}, npm start)`);
      expect((refusal as Error).message).toContain('stop it first, or set DATABASE_URL');
    } finally {
      const exited = new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
      child.kill('SIGTERM');
      // it dies of the signal, as it would have without the hook, and its lock goes with it
      expect(await exited).toBe('SIGTERM');
    }
    expect(existsSync(pgliteLockFile(dir))).toBe(false);
    claimPgliteDir(dir).release();
  });

  it('refuses a second claim in the same process, and a release frees the folder', () => {
    const dir = freshDir();
    const claim = claimPgliteDir(dir, 'npm run import');
    expect(JSON.parse(readFileSync(pgliteLockFile(dir), 'utf8'))).toMatchObject({
      pid: process.pid,
      command: 'npm run import',
    });
    expect(() => claimPgliteDir(dir)).toThrow(PgliteBusyError);
    claim.release();
    expect(existsSync(pgliteLockFile(dir))).toBe(false);
    claim.release(); // idempotent
    const again = claimPgliteDir(dir);
    again.release();
  });

  it('takes over the stale lock of a process that is gone (a crashed or killed run)', () => {
    const dir = freshDir();
    const pid = deadPid();
    writeFileSync(pgliteLockFile(dir), `${JSON.stringify({ pid, command: 'npm start', token: 'old' })}\n`);
    const claim = claimPgliteDir(dir);
    expect(JSON.parse(readFileSync(pgliteLockFile(dir), 'utf8')).pid).toBe(process.pid);
    claim.release();
    // a lock with a bare pid or garbage in it names nobody alive either
    writeFileSync(pgliteLockFile(dir), 'not a lock');
    claimPgliteDir(dir).release();
  });
});

describe('the dev commands on a PGlite folder', () => {
  it('openLocalDatabase holds the folder while the database is open; close frees it', async () => {
    const dir = freshDir();
    const database = await openLocalDatabase({ kind: 'pglite', dataDir: dir });
    try {
      await expect(openLocalDatabase({ kind: 'pglite', dataDir: dir })).rejects.toThrow(PgliteBusyError);
      expect(existsSync(pgliteLockFile(dir))).toBe(true);
    } finally {
      await database.close();
    }
    expect(existsSync(pgliteLockFile(dir))).toBe(false);
  }, 60_000);

  it('npm run import and npm run demo refuse a folder npm start holds, with one line and exit code 1', async () => {
    const dir = freshDir();
    const child = await holder(dir);
    try {
      const csv = join(work, 'one.csv');
      writeFileSync(csv, 'source,source_id,name,phone\npos,1,王芳,13800138000\n');
      for (const [script, args] of [
        ['dev/identity/import-cli.ts', ['--file', csv]],
        ['dev/demo/cli.ts', ['--members', '0']],
      ] as const) {
        const run = runScript(script, [...args], dir);
        expect(run.status, `${script}: ${run.stderr}`).toBe(1);
        const lines = run.stderr.trim().split('\n');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toContain(`is open in another process (pid ${child.pid}, npm start): stop it first`);
      }
      // neither opened it: PGlite never created its files there
      expect(existsSync(join(dir, 'PG_VERSION'))).toBe(false);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);
});
