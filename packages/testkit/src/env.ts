import { randomUUID } from 'node:crypto';

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
