import { Redis, type RedisOptions } from 'ioredis';

/**
 * Redis connections by role, per BullMQ's "going to production" guide:
 * - `producer`: adding jobs from a request path must fail fast while Redis is away
 *   (enableOfflineQueue off, one retry) so the caller falls back to its outbox instead of
 *   holding the HTTP request open;
 * - `worker`: workers must wait out a Redis restart (maxRetriesPerRequest null, offline
 *   queue on) and reconnect with backoff forever;
 * - `client`: other request-path commands (rate limits, pub/sub publish): fail fast too,
 *   auto-pipelined because they are many and small.
 */
export type RedisRole = 'producer' | 'worker' | 'client';

const reconnect = (minMs: number, maxMs: number) => (times: number) => Math.min(maxMs, minMs * 2 ** Math.min(times, 10));

export function redisOptions(role: RedisRole, name?: string): RedisOptions {
  // disconnectTimeout: a socket that never opened would otherwise keep the process alive 2 s after disconnect().
  const base: RedisOptions = { connectionName: name, connectTimeout: 3000, lazyConnect: false, disconnectTimeout: 100 };
  switch (role) {
    case 'worker':
      return { ...base, maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: reconnect(500, 20000) };
    case 'producer':
      return { ...base, maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2000, retryStrategy: reconnect(100, 2000) };
    case 'client':
      return {
        ...base,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        commandTimeout: 1000,
        enableAutoPipelining: true,
        retryStrategy: reconnect(100, 2000),
      };
  }
}

export function createRedis(url: string, role: RedisRole, name?: string): Redis {
  const redis = new Redis(url, redisOptions(role, name));
  // Connection errors are reported through the commands that fail and through readiness;
  // an unhandled 'error' event would crash the process on every reconnect attempt.
  redis.on('error', () => undefined);
  return redis;
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: Redis, timeoutMs = 5000): Promise<void> {
  if (redis.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`Redis not ready after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
    };
    redis.on('ready', onReady);
  });
}
