import { type Database, openDatabase } from '../../functions/adapters/db/client.js';

/**
 * Drops a scratch database. The pool's sockets close asynchronously, and `with (force)` needs the right to terminate
 * other backends (which the medloop role lacks), so wait for the connections to go first.
 */
export async function dropDatabase(admin: Database, name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.exec(`drop database if exists ${name}`);
      return;
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

/**
 * A fresh database on the server at `url` (a copy of `template` when given) for one bench or eval run, opened
 * through the Neon driver; `close` drops it unless `keep`.
 */
export async function openScratchDatabase(opts: {
  url: string;
  wsProxy?: string;
  prefix: 'medloop_bench' | 'medloop_eval';
  label: string;
  template?: string;
  keep?: boolean;
}): Promise<{ database: Database; name: string; close: () => Promise<void> }> {
  const admin = await openDatabase({ kind: 'neon', url: opts.url, wsProxy: opts.wsProxy });
  const name = `${opts.prefix}_${Date.now().toString(36)}`;
  await admin.exec(`create database ${name}${opts.template ? ` template ${opts.template}` : ''}`);
  const scratchUrl = new URL(opts.url);
  scratchUrl.pathname = `/${name}`;
  console.log(`${opts.label}: fresh database ${name}`);
  const database = await openDatabase({ kind: 'neon', url: scratchUrl.href, wsProxy: opts.wsProxy });
  return {
    database,
    name,
    close: async () => {
      await database.close();
      if (opts.keep) console.log(`${opts.label}: kept database ${name}`);
      else await dropDatabase(admin, name);
      await admin.close();
    },
  };
}
