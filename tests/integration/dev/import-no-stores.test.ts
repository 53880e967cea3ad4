/**
 * `npm run import` into a database without stores (a fresh `npm run pg:start` database, a new PGlite folder) says so
 * up front and how to load the chain, and imports nothing, instead of refusing nearly every row as an unknown
 * store_code.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'medloop-import-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('refuses to import into a database with no stores, naming `npm run demo -- --members 0`, with exit code 1', () => {
  const csv = join(work, 'cards.csv');
  writeFileSync(csv, 'source,source_id,name,phone,store_code\npos,1,王芳,13800138000,HZ001\n');
  const env: NodeJS.ProcessEnv = { ...process.env, PGLITE_DIR: join(work, 'pglite') };
  for (const k of ['DATABASE_URL', 'NEON_WS_PROXY', 'npm_lifecycle_event']) delete env[k];
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'dev/identity/import-cli.ts'), '--file', csv],
    {
      cwd: ROOT,
      env,
      encoding: 'utf8',
      timeout: 110_000,
    },
  );
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr).toContain('nothing imported');
  expect(run.stderr).toContain('has no stores');
  expect(run.stderr).toContain(
    "`npm run demo -- --members 0` loads the demo chain's 18 stores, 289 products and partner keys",
  );
  expect(run.stdout).not.toContain('imported (');
}, 120_000);
