import type { RedisTarget } from '@utm/config';
import { createRedis, type RedisConnection } from '@utm/queue';

export type { RedisConnection };

/** The CLI waits this long for Redis before going on without it. */
export const REDIS_CONNECT_TIMEOUT_MS = 2000;

/**
 * A one-shot connection for a command, to the one Redis server or, with REDIS_CLUSTER_NODES,
 * the Redis Cluster the services use: the producer role's fail-fast options, a couple of
 * quick reconnects, then give up — an operator's command must not hang on a Redis that is
 * down. Resolves when ready; rejects with the last connection error otherwise.
 */
export async function connectRedis(
  target: RedisTarget,
  timeoutMs = REDIS_CONNECT_TIMEOUT_MS,
): Promise<RedisConnection> {
  const redis = createRedis(target, 'producer', 'utm-cli', {
    connectTimeoutMs: timeoutMs,
    retryStrategy: (times) => (times > 2 ? null : 200),
  });
  let lastError: Error | undefined;
  redis.on('error', (err: Error) => (lastError = err));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
      const onReady = () => done();
      const onEnd = () => done(new Error('connection closed'));
      function done(err?: Error) {
        clearTimeout(timer);
        redis.off('ready', onReady);
        redis.off('end', onEnd);
        if (err) reject(err);
        else resolve();
      }
      if (redis.status === 'ready') return done();
      redis.once('ready', onReady);
      redis.once('end', onEnd);
    });
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis unavailable: ${lastError?.message ?? (err as Error).message}`, { cause: err });
  }
}

export async function closeRedis(redis: RedisConnection): Promise<void> {
  await redis.quit().catch(() => redis.disconnect());
}
