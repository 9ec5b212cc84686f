import { randomBytes, randomUUID } from 'node:crypto';

/**
 * Where tests find their stores. `npm test` sets DATABASE_URL and REDIS_URL (after starting
 * embedded ones when nothing answers locally); a bare `npx jest` falls back to the local
 * services on their standard ports, in a database of its own.
 */
// Tests are the one place besides service config that reads the environment directly.
export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/utm_test';
}

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A queue/key prefix of its own for each test, so tests run in any order and in parallel. */
export function uniquePrefix(label = 'test'): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/** The same, hash-tagged (`{label-…}`), as a queue prefix must be on a Redis Cluster. */
export function uniqueClusterPrefix(label = 'test'): string {
  return `{${uniquePrefix(label)}}`;
}

/**
 * A ticker of the test's own (quotes and positions are keyed by symbol, shared by every test
 * on the database): `prefix` + 8 random uppercase letters, 26^8 possibilities.
 */
export function uniqueSymbol(prefix = 'T'): string {
  return prefix + Array.from(randomBytes(8), (b) => String.fromCharCode(65 + (b % 26))).join('');
}
