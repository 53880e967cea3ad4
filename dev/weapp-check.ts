/**
 * `npm run check:weapp`: compiles dist/weapp (after `npm run build:weapp`) with WeChat's own tools, offline.
 * - wcc (WXML) and wcsc (WXSS) from miniprogram-compiler, all files in one call each (they resolve imports
 *   only among the files they are given);
 * - miniprogram-ci getCompiledResult: app.json / page JSON schema, every page and component present, and the
 *   exact file set an upload would send;
 * - @babel/parser over every .js (Taro sets es6: false, so ci does not parse JS);
 * - package sizes: WeChat allows 2 MB per package; we fail the main package above 1 MB to keep room.
 */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from '@babel/parser';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, '..');
const DIST = path.join(ROOT, 'dist/weapp');
const MAIN_LIMIT = 1024 * 1024;
const PACKAGE_LIMIT = 2 * 1024 * 1024;

const failures: string[] = [];
const fail = (message: string) => {
  failures.push(message);
  console.error(`✗ ${message}`);
};
const pass = (message: string) => console.log(`✓ ${message}`);

function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

function checkWxmlWxss(files: string[]) {
  const compilerDir = path.dirname(require.resolve('miniprogram-compiler/package.json'));
  // npm installs the binaries without the execute bit (and .npmrc has ignore-scripts).
  for (const bin of ['wcc', 'wcsc']) chmodSync(path.join(compilerDir, 'bin/linux', bin), 0o755);
  const compiler = require('miniprogram-compiler') as {
    wxmlToJs(root: string, options: { wxmlList: string[]; wxsList: string[]; maxBuffer: number }): string;
  };
  const wxml = files.filter((f) => f.endsWith('.wxml'));
  const wxs = files.filter((f) => f.endsWith('.wxs'));
  const wxss = files.filter((f) => f.endsWith('.wxss'));
  const maxBuffer = 64 * 1024 * 1024;
  try {
    compiler.wxmlToJs(DIST, { wxmlList: wxml, wxsList: wxs, maxBuffer });
    pass(`wcc compiled ${wxml.length} .wxml + ${wxs.length} .wxs`);
  } catch (error) {
    fail(`wcc: ${(error as Error).message}`);
  }
  // The wcsc wrapper returns (not throws) an Error carrying wcsc's stderr; wxssToJs would hide it.
  const wcsc = require('miniprogram-compiler/src/wcsc') as (
    root: string,
    files: string[],
    options: { maxBuffer: number },
  ) => Record<string, string> | Error;
  const out = wcsc(
    DIST,
    wxss.map((f) => f.slice(0, -'.wxss'.length)),
    { maxBuffer },
  );
  if (out instanceof Error) fail(`wcsc: ${out.message}`);
  else pass(`wcsc compiled ${wxss.length} .wxss`);
}

function checkJs(files: string[]) {
  const js = files.filter((f) => f.endsWith('.js'));
  let ok = 0;
  for (const file of js) {
    try {
      parse(readFileSync(path.join(DIST, file), 'utf8'), { sourceType: 'script', allowReturnOutsideFunction: true });
      ok++;
    } catch (error) {
      fail(`${file}: JS does not parse: ${(error as Error).message}`);
    }
  }
  if (ok === js.length) pass(`@babel/parser parsed ${js.length} .js`);
}

async function checkWithCi(): Promise<Record<string, string | Buffer> | null> {
  // Offline: the white-extension list normally comes from WeChat's servers; use the built-in one.
  const whiteExt = require('miniprogram-ci/dist/utils/white_ext_list') as Record<string, unknown>;
  whiteExt.getWhiteExtList = async () => ({
    GameWhiteList: new Set(whiteExt.GameWhiteList as string[]),
    MiniProgramWhiteList: new Set(whiteExt.MiniProgramWhiteList as string[]),
  });
  const ci = require('miniprogram-ci') as typeof import('miniprogram-ci');
  const appid = (JSON.parse(readFileSync(path.join(DIST, 'project.config.json'), 'utf8')) as { appid: string }).appid;
  const cwd = process.cwd();
  // ci leaves cache folders in its working directory.
  const work = mkdtempSync(path.join(tmpdir(), 'weapp-check-'));
  process.chdir(work);
  try {
    const project = new ci.Project({
      appid,
      type: 'miniProgram',
      projectPath: DIST,
      privateKey: 'offline-check-no-key',
      ignores: ['node_modules/**/*'],
    });
    // No account, no network: the project attributes WeChat would return, from ci's defaults.
    (project as unknown as { attr: () => Promise<unknown> }).attr = async () => ci.DefaultProjectAttr;
    const result = await ci.getCompiledResult({
      project,
      version: '0.0.0',
      setting: { es6: false, minify: false },
      onProgressUpdate: () => {},
    });
    pass(`miniprogram-ci compiled ${Object.keys(result).length} files`);
    return result;
  } catch (error) {
    fail(`miniprogram-ci: ${(error as Error).message ?? String(error)}`);
    return null;
  } finally {
    process.chdir(cwd);
    rmSync(work, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;

function checkSizes(files: string[]): string {
  const app = JSON.parse(readFileSync(path.join(DIST, 'app.json'), 'utf8')) as {
    subPackages?: Array<{ root: string }>;
    subpackages?: Array<{ root: string }>;
  };
  const roots = (app.subPackages ?? app.subpackages ?? []).map((p) => p.root.replace(/\/?$/, '/'));
  const sizes = new Map<string, number>([['main', 0], ...roots.map((r) => [r.slice(0, -1), 0] as [string, number])]);
  for (const file of files) {
    // project.config.json and licence notices are not uploaded as part of a package.
    if (file === 'project.config.json' || file.endsWith('.LICENSE.txt')) continue;
    const root = roots.find((r) => file.startsWith(r));
    const key = root ? root.slice(0, -1) : 'main';
    sizes.set(key, (sizes.get(key) ?? 0) + statSync(path.join(DIST, file)).size);
  }
  const main = sizes.get('main') ?? 0;
  if (main > MAIN_LIMIT) fail(`main package ${kb(main)} exceeds our 1 MB budget`);
  for (const [name, size] of sizes) {
    if (size > PACKAGE_LIMIT) fail(`package ${name} ${kb(size)} exceeds WeChat's 2 MB limit`);
  }
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  return `weapp: ${[...sizes].map(([name, size]) => `${name} ${kb(size)}`).join(', ')}, total ${kb(total)}`;
}

async function main() {
  try {
    statSync(path.join(DIST, 'app.json'));
  } catch {
    console.error('dist/weapp/app.json not found: run `npm run build:weapp` first');
    process.exit(1);
  }
  const files = walk(DIST);
  checkWxmlWxss(files);
  checkJs(files);
  await checkWithCi();
  const summary = checkSizes(files);
  console.log(summary);
  if (failures.length > 0) {
    console.error(`weapp check failed: ${failures.length} problem(s)`);
    process.exit(1);
  }
  // A forked ci compiler keeps node alive for minutes.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
