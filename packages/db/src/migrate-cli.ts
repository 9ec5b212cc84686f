#!/usr/bin/env node
/**
 * `node packages/db/dist/migrate-cli.js`: applies pending migrations to DATABASE_URL (the
 * one-shot migration job of docker-compose). Same runner and lock as npm start.
 */
import { ConfigError, loadMigrateConfig } from '@utm/config';
import { ensureDatabase, migrate } from './migrate';

async function main(): Promise<void> {
  let url: string;
  try {
    url = loadMigrateConfig().databaseUrl;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`migrate: ${err.message}\n`);
    process.exit(2);
  }
  await ensureDatabase(url);
  const { applied, alreadyApplied } = await migrate(url);
  process.stdout.write(`${JSON.stringify({ applied, alreadyApplied: alreadyApplied.length })}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
