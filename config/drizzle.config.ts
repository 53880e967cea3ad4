import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './functions/adapters/db/schema.ts',
  out: './functions/adapters/db/migrations',
  // for drizzle-kit commands that connect (migrate, studio): the Neon URL. Locally use `npm run db:migrate`, which
  // honours NEON_WS_PROXY (drizzle-kit would take the Neon driver to port 443). `generate` connects to nothing.
  dbCredentials: { url: process.env.DATABASE_URL as string },
});
