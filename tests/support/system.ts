import { type RunningSystem, type SystemOptions, startSystem } from '../../dev/system.js';
import { fixedClock } from '../../functions/adapters/clock.js';
import { openTestDatabase } from './database.js';

/** An error answer's body (the endpoint wrapper's shape), or anything else a failing call returned. */
export type ErrorBody = { error?: { code?: string } } | null;

/** A call's status and error code, for comparing an answer with the one a test expects. */
export const codeOf = (r: { status: number; body: ErrorBody }) => ({ status: r.status, code: r.body?.error?.code });

export const TEST_JWT_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** The system as `npm start` runs it, on this file's own clean database, with a clock tests can move. */
export async function startTestSystem(
  opts: {
    /** 'demo' is what `npm start` seeds on its first run (`members` generated members, linked) */
    seed?: 'fixtures' | 'none' | 'demo';
    members?: number;
    start?: string;
    extraRoutes?: SystemOptions['extraRoutes'];
    env?: SystemOptions['env'];
  } = {},
) {
  const clock = fixedClock(opts.start ?? '2026-11-25T02:00:00Z');
  const database = await openTestDatabase();
  const system: RunningSystem = await startSystem({
    database,
    seed: opts.seed ?? 'fixtures',
    members: opts.members,
    clock,
    jwtSecret: TEST_JWT_SECRET,
    extraRoutes: opts.extraRoutes,
    env: opts.env,
  });
  return {
    ...system,
    clock,
    close: async () => {
      await system.close();
      await database.close();
    },
    async call(
      path: string,
      init: {
        method?: string;
        body?: unknown;
        token?: string;
        headers?: Record<string, string>;
        raw?: string | Uint8Array;
      } = {},
    ) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let payload: string | Uint8Array | undefined = init.raw;
      if (init.body !== undefined) {
        payload = JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      } else if (payload !== undefined) headers['content-type'] ??= 'application/json';
      const res = await fetch(`${system.apiUrl}${path}`, {
        method: init.method ?? (payload ? 'POST' : 'GET'),
        headers,
        // bytes as they are (a test of a body that is not UTF-8): a Buffer is a fetch body
        body: typeof payload === 'string' || payload === undefined ? payload : Buffer.from(payload),
      });
      const text = await res.text();
      // biome-ignore lint/suspicious/noExplicitAny: any JSON the API answered; each test asserts the shape it expects
      let json: any = null;
      try {
        json = text ? JSON.parse(text) : null;
      } catch {
        json = text;
      }
      return { status: res.status, body: json, headers: res.headers };
    },
  };
}
export type TestSystem = Awaited<ReturnType<typeof startTestSystem>>;
