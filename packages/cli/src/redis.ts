import { Redis } from 'ioredis';
import { redisOptions } from '@utm/queue';

export type RedisConnection = Redis;

/** The CLI waits this long for Redis before going on without it. */
export const REDIS_CONNECT_TIMEOUT_MS = 2000;

/**
 * A one-shot connection for a command: the producer role's fail-fast options, a couple of
 * quick reconnects, then give up — an operator's command must not hang on a Redis that is
 * down. Resolves when ready; rejects with the last connection error otherwise.
 */
export async function connectRedis(url: string, timeoutMs = REDIS_CONNECT_TIMEOUT_MS): Promise<RedisConnection> {
  const redis = new Redis(url, {
    ...redisOptions('producer', 'utm-cli'),
    connectTimeout: timeoutMs,
    retryStrategy: (times) => (times > 2 ? null : 200),
    // Without this, a socket that never opened keeps the process alive for 2 s after disconnect().
    disconnectTimeout: 100,
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
