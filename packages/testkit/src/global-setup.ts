import { Client } from 'pg';
import { ensureDatabase, migrate } from '@utm/db';
import { testDatabaseUrl } from './env';

const SETUP_LOCK = 727_073_001;

/**
 * jest globalSetup: the test database exists and is migrated (a no-op when it already is).
 *
 * The test database is disposable: when its migration history disagrees with the files
 * (a migration edited before release), it is dropped and rebuilt. Production databases
 * never get this; the runner refuses them. Parallel jest processes serialise on a lock,
 * and whoever comes second finds the database already rebuilt.
 */
export default async function globalSetup(): Promise<void> {
  const url = testDatabaseUrl();
  const adminUrl = new URL(url);
  const name = decodeURIComponent(adminUrl.pathname.slice(1));
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString(), connectionTimeoutMillis: 5000 });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
    await ensureDatabase(url);
    try {
      await migrate(url);
    } catch (err) {
      if (!/checksum mismatch|failed earlier/.test((err as Error).message)) throw err;
      process.stderr.write(`test database ${name}: ${(err as Error).message}; rebuilding it\n`);
      await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
      await ensureDatabase(url);
      await migrate(url);
    }
  } finally {
    await admin.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK]).catch(() => undefined);
    await admin.end();
  }
}
