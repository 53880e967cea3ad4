import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './functions/adapters/db/schema.ts',
  out: './functions/adapters/db/migrations',
});
