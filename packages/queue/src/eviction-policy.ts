import type { Redis } from 'ioredis';
import { AppError } from '@utm/contracts';
import { waitForRedis } from './redis';

/**
 * BullMQ keeps every job, lock and id in ordinary Redis keys: a Redis allowed to evict keys
 * under memory pressure (any maxmemory-policy but noeviction) can silently drop queued
 * signals and orders or corrupt a queue. Every service checks this before taking work.
 */
export const REQUIRED_EVICTION_POLICY = 'noeviction';

/**
 * The server's maxmemory-policy: `CONFIG GET` first; where CONFIG is disabled or denied (managed
 * Redis: ElastiCache, Memorystore, Azure Cache; or an ACL without it), the `maxmemory_policy`
 * field of `INFO memory`. Null when neither reports it.
 */
export async function readEvictionPolicy(redis: Redis): Promise<string | null> {
  let configError: unknown;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string' && reply[1] !== '') return reply[1];
  } catch (err) {
    configError = err; // disabled or denied: INFO still tells
  }
  try {
    const info = await redis.info('memory');
    const match = /^maxmemory_policy:(\S+)\s*$/m.exec(info);
    return match?.[1] ?? null;
  } catch (infoError) {
    const why = [configError, infoError].filter(Boolean).map((e) => (e instanceof Error ? e.message : String(e)));
    throw new AppError('SERVICE_UNAVAILABLE', `could not read Redis maxmemory-policy (${why.join('; ')})`, { cause: infoError });
  }
}

const HOW_TO_FIX =
  `set it to ${REQUIRED_EVICTION_POLICY}: \`redis-cli CONFIG SET maxmemory-policy ${REQUIRED_EVICTION_POLICY}\` then \`CONFIG REWRITE\` ` +
  `(or \`maxmemory-policy ${REQUIRED_EVICTION_POLICY}\` in redis.conf, or \`--maxmemory-policy ${REQUIRED_EVICTION_POLICY}\` on the command line); ` +
  `on a managed Redis (ElastiCache, Memorystore, Azure Cache for Redis, …) set the parameter maxmemory-policy to ${REQUIRED_EVICTION_POLICY} ` +
  'in its parameter group or configuration';

export interface EvictionCheckOptions {
  /** How long to wait for Redis to answer at all (default 30 s). */
  timeoutMs?: number;
}

/**
 * Refuses (throws, with how to fix it) unless Redis's eviction policy is noeviction. Waits for
 * the connection to be ready first, up to `timeoutMs`: a service starts only once it has seen
 * that its Redis cannot drop queue keys.
 */
export async function assertNoEviction(redis: Redis, opts: EvictionCheckOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30000;
  try {
    await waitForRedis(redis, timeoutMs);
  } catch (err) {
    throw new AppError('SERVICE_UNAVAILABLE', `Redis did not answer within ${timeoutMs} ms, so its maxmemory-policy could not be checked`, { cause: err });
  }
  const policy = await readEvictionPolicy(redis);
  if (policy === REQUIRED_EVICTION_POLICY) return;
  const found = policy === null ? 'Redis does not report its maxmemory-policy (neither CONFIG GET nor INFO memory)' : `Redis maxmemory-policy is "${policy}"`;
  throw new AppError(
    'SERVICE_UNAVAILABLE',
    `${found}: Redis may then evict queue keys under memory pressure and lose or corrupt queued signals and orders. Refusing to start; ${HOW_TO_FIX}.`,
  );
}
