// Prisma CLI configuration. Only `prisma generate` runs here (its schema engine
// cannot be downloaded here: migrations are hand-written SQL applied by src/migrate.ts). The datasource URL is only
// needed by migrate/studio on a connected machine.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: '../../prisma/schema.prisma',
  migrations: { path: '../../prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/utm' },
});
