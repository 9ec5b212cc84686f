import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A database of its own on the test server, for tests that must start from nothing. */
export interface FreshDatabase {
  name: string;
  url: string;
  /** A pg client on the fresh database, for catalog queries. */
  client(): Promise<Client>;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: withDatabase(serverUrl, 'postgres'), connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function createFreshDatabase(serverUrl: string, label: string): Promise<FreshDatabase> {
  const name = `${label}_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = withDatabase(serverUrl, name);
  const clients: Client[] = [];
  return {
    name,
    url,
    async client() {
      const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
      await c.connect();
      clients.push(c);
      return c;
    },
    async drop() {
      await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
      await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}
