/**
 * One query through the production driver (Neon's serverless Pool, over the loopback WebSocket proxy) to the
 * server at DATABASE_URL: CI runs it before any check that needs the database, so a server or proxy that did
 * not come up fails there, with its cause, instead of as hundreds of failed tests.
 */
import { openDatabase } from '../functions/adapters/db/client.js';

const url = process.env.DATABASE_URL;
if (!url) throw new Error('DATABASE_URL is not set');
const database = await openDatabase({ kind: 'neon', url, wsProxy: process.env.NEON_WS_PROXY });
try {
  const [row] = await database.exec('select version() as version');
  console.log(`database reachable through the Neon driver: ${String(row?.version).split(' on ')[0]}`);
} finally {
  await database.close();
}
