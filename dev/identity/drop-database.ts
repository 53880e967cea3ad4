import type { Database } from '../../functions/adapters/db/client.js';

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
