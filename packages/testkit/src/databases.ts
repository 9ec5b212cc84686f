import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '@utm/db';
import { testDatabaseUrl } from './env';

/**
 * A migrated database of its own, for tests whose code scans whole tables (the outbox
 * sweepers re-enqueue every PENDING signal of their database): in the shared test
 * database they would also see every other test's rows.
 */
export interface IsolatedDatabase {
  url: string;
  drop(): Promise<void>;
}

async function onServer<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const u = new URL(serverUrl);
  u.pathname = '/postgres';
  const c = new Client({ connectionString: u.toString(), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** `serverUrl`: any database URL on the server to use (default: the test database's). */
export async function isolatedDatabase(label: string, serverUrl = testDatabaseUrl()): Promise<IsolatedDatabase> {
  const name = `utm_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await onServer(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  await migrate(u.toString());
  return {
    url: u.toString(),
    drop: () =>
      onServer(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
