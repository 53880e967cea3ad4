/**
 * File-system routes the way Vercel maps api/**: `functions/api/auth/wx-login.ts` → `/api/auth/wx-login`,
 * `[id].ts` → a dynamic segment passed in `req.query`, `[...path].ts` → a catch-all, `index.ts` → the folder.
 * Static segments win over dynamic ones, as on Vercel.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const API_DIR = fileURLToPath(new URL('../functions/api', import.meta.url));

export interface RouteFile {
  /** path relative to functions/api, with forward slashes, e.g. `auth/wx-login.ts` */
  file: string;
  /** the URL path pattern, e.g. `/api/members/[id]` */
  pattern: string;
  segments: Array<{ kind: 'static'; value: string } | { kind: 'param' | 'rest'; name: string }>;
}

export function listRouteFiles(dir = API_DIR): RouteFile[] {
  const out: RouteFile[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const full = join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) {
        const file = relative(dir, full).split(sep).join('/');
        out.push(toRoute(file));
      }
    }
  };
  walk(dir);
  return out.sort(bySpecificity);
}

function toRoute(file: string): RouteFile {
  const parts = file.replace(/\.ts$/, '').split('/');
  if (parts[parts.length - 1] === 'index') parts.pop();
  const segments = parts.map((p) => {
    const rest = /^\[\.\.\.(\w+)\]$/.exec(p);
    if (rest) return { kind: 'rest' as const, name: rest[1] };
    const param = /^\[(\w+)\]$/.exec(p);
    if (param) return { kind: 'param' as const, name: param[1] };
    return { kind: 'static' as const, value: p };
  });
  return { file, pattern: `/api/${parts.join('/')}`.replace(/\/$/, ''), segments };
}

function bySpecificity(a: RouteFile, b: RouteFile): number {
  const rank = (r: RouteFile) => r.segments.map((s) => (s.kind === 'static' ? 0 : s.kind === 'param' ? 1 : 2)).join('');
  return rank(a).localeCompare(rank(b)) || b.segments.length - a.segments.length || a.file.localeCompare(b.file);
}

export function matchRoute(
  routes: RouteFile[],
  pathname: string,
): { route: RouteFile; params: Record<string, string | string[]> } | null {
  if (!pathname.startsWith('/api/') && pathname !== '/api') return null;
  // a route without parameters is looked up, not searched for: static routes sort first, so an exact match is the
  // match (and a request allocates no params object per route tried)
  const exact = staticRoutes(routes).get(
    pathname.length > 5 && pathname.endsWith('/') ? pathname.slice(0, -1) : pathname,
  );
  if (exact) return { route: exact, params: {} };
  const parts = pathname.slice('/api/'.length).split('/').filter(Boolean).map(decodeURIComponent);
  for (const route of routes) {
    let params: Record<string, string | string[]> | null = null;
    let i = 0;
    let matched = true;
    for (const seg of route.segments) {
      if (seg.kind === 'rest') {
        if (i >= parts.length) matched = false;
        else {
          params ??= {};
          params[seg.name] = parts.slice(i);
        }
        i = parts.length;
        break;
      }
      const part = parts[i++];
      if (part === undefined) {
        matched = false;
        break;
      }
      if (seg.kind === 'static' && seg.value !== part) {
        matched = false;
        break;
      }
      if (seg.kind === 'param') {
        params ??= {};
        params[seg.name] = part;
      }
    }
    if (matched && i === parts.length) return { route, params: params ?? {} };
  }
  return null;
}

const staticByList = new WeakMap<RouteFile[], Map<string, RouteFile>>();

function staticRoutes(routes: RouteFile[]): Map<string, RouteFile> {
  let map = staticByList.get(routes);
  if (!map) {
    map = new Map();
    for (const r of routes)
      if (r.segments.every((seg) => seg.kind === 'static') && !map.has(r.pattern)) map.set(r.pattern, r);
    staticByList.set(routes, map);
  }
  return map;
}
