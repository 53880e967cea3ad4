import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listRouteFiles, matchRoute } from '../../../dev/routes.js';

/** A functions/api tree of empty files: the router only reads names. */
function apiTree(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'medloop-routes-'));
  for (const file of files) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), '');
  }
  return dir;
}

describe('the local router (Vercel file-system routes)', () => {
  const routes = listRouteFiles(
    apiTree(['ping.ts', 'members/[id].ts', 'members/me.ts', 'files/[...path].ts', 'pos/redeem.ts', 'index.ts']),
  );
  const match = (path: string) => {
    const m = matchRoute(routes, path);
    return m && { file: m.route.file, params: m.params };
  };

  it('finds a static route by its exact path, with or without a trailing slash', () => {
    expect(match('/api/pos/redeem')).toEqual({ file: 'pos/redeem.ts', params: {} });
    expect(match('/api/ping/')).toEqual({ file: 'ping.ts', params: {} });
    expect(match('/api')).toEqual({ file: 'index.ts', params: {} });
  });

  it('prefers a static segment over a parameter, and fills parameters from the path', () => {
    expect(match('/api/members/me')).toEqual({ file: 'members/me.ts', params: {} });
    expect(match('/api/members/c_123')).toEqual({ file: 'members/[id].ts', params: { id: 'c_123' } });
    expect(match('/api/files/a/b%20c')).toEqual({ file: 'files/[...path].ts', params: { path: ['a', 'b c'] } });
  });

  it('decodes escaped segments and ignores empty ones, as before the exact lookup', () => {
    expect(match('/api/p%69ng')).toEqual({ file: 'ping.ts', params: {} });
    expect(match('/api//pos/redeem')).toEqual({ file: 'pos/redeem.ts', params: {} });
  });

  it('answers nothing for a path no file serves', () => {
    expect(match('/api/pos')).toBeNull();
    expect(match('/api/files')).toBeNull();
    expect(match('/other')).toBeNull();
  });
});
