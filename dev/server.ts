/**
 * The local runner's HTTP server: functions/api served the way Vercel serves them (file-system routes,
 * dynamic segments in req.query, the raw body untouched, res.status().json()), the H5 build as static
 * files, and the WeChat simulator's client routes mounted same-origin at /__sim/ for the H5 platform layer.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { API_DIR, listRouteFiles, matchRoute, type RouteFile } from './routes.js';

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface LocalServerOptions {
  port?: number;
  host?: string;
  /** the H5 build to serve at / (dist/h5); omitted → only the API */
  staticDir?: string;
  /** mounted at /__sim/ (same origin as the H5 app) */
  simulator?: Handler;
  /** handlers at exact paths outside functions/api, for tools only (the redemption bench's database floor) */
  extraRoutes?: Readonly<Record<string, Handler>>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export async function loadHandlers(routes: RouteFile[]): Promise<Map<string, Handler>> {
  const handlers = new Map<string, Handler>();
  for (const route of routes) {
    const mod = await import(pathToFileURL(join(API_DIR, route.file)).href);
    if (typeof mod.default !== 'function') throw new Error(`functions/api/${route.file} has no default export`);
    handlers.set(route.file, mod.default);
  }
  return handlers;
}

/**
 * Vercel's response helpers, so handlers written for Vercel run here unchanged: methods of the server's response
 * class, not closures made per request.
 */
class VercelStyleResponse<Request extends IncomingMessage = IncomingMessage> extends ServerResponse<Request> {
  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  json(body: unknown): this {
    this.setHeader('content-type', 'application/json; charset=utf-8');
    this.end(JSON.stringify(body));
    return this;
  }
  send(body: unknown): this {
    this.end(typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body));
    return this;
  }
}

/** A plain API path needs no URL parser (the common case); anything else (dots, escapes, a query) gets one. */
const PLAIN_API_PATH = /^\/api(?:\/[A-Za-z0-9_-]+)*\/?$/;

function requestPath(rawUrl: string): { pathname: string; searchParams: URLSearchParams | null } {
  if (PLAIN_API_PATH.test(rawUrl)) return { pathname: rawUrl, searchParams: null };
  const url = new URL(rawUrl, 'http://local');
  return { pathname: url.pathname, searchParams: url.searchParams };
}

export async function startLocalServer(
  options: LocalServerOptions = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  // A long-running server under bursts should not let V8 pretenure per-request objects: after a burst (requests
  // queued for tens of ms survive young collections), V8 allocates the objects of busy allocation sites straight in
  // the old generation, and each such object, dead a millisecond later, keeps the young objects it points to (the
  // request, its body, the response) alive through every young collection until the next full one. Measured with
  // `npm run bench -- redemption --node-args=--trace-gc-nvp`: after the saturation runs, ~0.8 MB survived every
  // scavenge at 1,000 req/s of plain pings (20–40 KB without pretenuring), scavenges took ~3 ms instead of ~1.5 and
  // the old generation filled up to incremental marking every ~10 s. V8 reads the flag at each collection;
  // set here, when a server starts, not when a module merely imports this file's helpers.
  setFlagsFromString('--no-allocation-site-pretenuring');
  const routes = listRouteFiles();
  const handlers = await loadHandlers(routes);
  const server = createServer({ ServerResponse: VercelStyleResponse }, (req, res) => {
    // nothing a request carries may stop the server: a path that is not valid percent-encoding (/api/%E0%A4%A) is
    // a bad request; anything else thrown here is logged and answered 500
    try {
      route(req, res);
    } catch (error) {
      const bad = error instanceof URIError;
      if (!bad) console.error('request failed outside its handler', error);
      if (res.headersSent) return void res.end();
      res.statusCode = bad ? 400 : 500;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      const code = bad ? 'VALIDATION_FAILED' : 'INTERNAL';
      const message = bad ? 'the path is not valid percent-encoding' : 'internal error';
      res.end(JSON.stringify({ error: { code, message, requestId: '' } }));
    }
  });
  function route(req: IncomingMessage, res: ServerResponse): void {
    const url = requestPath(req.url ?? '/');
    if (url.pathname.startsWith('/__sim/') && options.simulator) return void options.simulator(req, res);
    const extra = options.extraRoutes?.[url.pathname];
    if (extra) return void extra(req, res);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const match = matchRoute(routes, url.pathname);
      if (!match) {
        res.statusCode = 404;
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(
          JSON.stringify({ error: { code: 'NOT_FOUND', message: `no route for ${url.pathname}`, requestId: '' } }),
        );
        return;
      }
      const query: Record<string, string | string[]> = {};
      if (url.searchParams) {
        for (const key of new Set(url.searchParams.keys())) {
          const all = url.searchParams.getAll(key);
          query[key] = all.length > 1 ? all : all[0];
        }
      }
      for (const [key, value] of Object.entries(match.params)) query[key] = value;
      Object.assign(req, { query });
      const handler = handlers.get(match.route.file)!;
      Promise.resolve(handler(req, res)).catch((error) => {
        console.error('handler crashed outside its wrapper', error);
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      });
      return;
    }
    serveStatic(options.staticDir, url.pathname, res);
  }
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serveStatic(dir: string | undefined, pathname: string, res: ServerResponse): void {
  if (!dir || !existsSync(dir)) {
    res.statusCode = 404;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('H5 build not found: run `npm run build:h5`');
    return;
  }
  const safe = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(dir, safe);
  if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html');
  res.setHeader('content-type', MIME[extname(file)] ?? 'application/octet-stream');
  res.setHeader('cache-control', file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600');
  createReadStream(file).pipe(res);
}
