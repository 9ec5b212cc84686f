import { ensureDatabase, migrate } from '@utm/db';
import { testDatabaseUrl } from './env';

/** jest globalSetup: the test database exists and is migrated (a no-op when it already is). */
export default async function globalSetup(): Promise<void> {
  const url = testDatabaseUrl();
  await ensureDatabase(url);
  await migrate(url);
}
