import type { Redis } from 'ioredis';
import { AppError } from '@utm/contracts';
import { isCluster, waitForRedis, type RedisConnection } from './redis';

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
    throw new AppError('SERVICE_UNAVAILABLE', `could not read Redis maxmemory-policy (${why.join('; ')})`, {
      cause: infoError,
    });
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

const nodeName = (node: Redis) => `${node.options.host ?? '127.0.0.1'}:${node.options.port ?? 6379}`;

/** What was found wrong on one server (`where` names a cluster master). */
function finding(policy: string | null, where = ''): string {
  const redis = where ? `Redis Cluster master ${where}` : 'Redis';
  return policy === null
    ? `${redis} does not report its maxmemory-policy (neither CONFIG GET nor INFO memory)`
    : `${redis} maxmemory-policy is "${policy}"`;
}

/**
 * Refuses (throws, with how to fix it) unless Redis's eviction policy is noeviction. Waits for
 * the connection to be ready first, up to `timeoutMs`: a service starts only once it has seen
 * that its Redis cannot drop queue keys. On a Redis Cluster every master holds some of the
 * keys, so every master known once the cluster is ready is checked, and each one that may
 * evict is named.
 */
export async function assertNoEviction(redis: RedisConnection, opts: EvictionCheckOptions = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 30000;
  try {
    await waitForRedis(redis, timeoutMs);
  } catch (err) {
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `Redis did not answer within ${timeoutMs} ms, so its maxmemory-policy could not be checked`,
      { cause: err },
    );
  }
  let found: string[];
  if (isCluster(redis)) {
    const masters = redis.nodes('master');
    if (!masters.length)
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        'the Redis Cluster reports no master node, so its maxmemory-policy could not be checked',
      );
    const policies = await Promise.all(
      masters.map(async (node) => ({ where: nodeName(node), policy: await readEvictionPolicy(node) })),
    );
    found = policies.filter((p) => p.policy !== REQUIRED_EVICTION_POLICY).map((p) => finding(p.policy, p.where));
  } else {
    const policy = await readEvictionPolicy(redis);
    found = policy === REQUIRED_EVICTION_POLICY ? [] : [finding(policy)];
  }
  if (!found.length) return;
  throw new AppError(
    'SERVICE_UNAVAILABLE',
    `${found.join('; ')}: Redis may then evict queue keys under memory pressure and lose or corrupt queued signals and orders. Refusing to start; ${HOW_TO_FIX}` +
      `${isCluster(redis) ? ' (on every master of the cluster)' : ''}.`,
  );
}
