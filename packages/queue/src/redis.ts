import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { clusterPrefixProblem, type RedisSeed, type RedisTarget } from '@utm/config';

/**
 * Redis connections by role, per BullMQ's "going to production" guide:
 * - `producer`: adding jobs from a request path must fail fast while Redis is away
 *   (enableOfflineQueue off, one retry) so the caller falls back to its outbox instead of
 *   holding the HTTP request open;
 * - `worker`: workers must wait out a Redis restart (maxRetriesPerRequest null, offline
 *   queue on) and reconnect with backoff forever;
 * - `client`: other request-path commands (rate limits, pub/sub publish): fail fast too,
 *   auto-pipelined because they are many and small.
 *
 * On a Redis Cluster (REDIS_CLUSTER_NODES) the same roles hold: the offline queue, the
 * reconnection backoff and auto-pipelining are the Cluster client's own options, the rest
 * (timeouts, maxRetriesPerRequest, credentials) go to every node's connection through
 * `redisOptions`, where BullMQ looks for maxRetriesPerRequest null on a worker's.
 */
export type RedisRole = 'producer' | 'worker' | 'client';

/** A connection to one Redis server or to a Redis Cluster: everything that talks to Redis takes either. */
export type RedisConnection = Redis | Cluster;

export function isCluster(redis: RedisConnection): redis is Cluster {
  return (redis as { isCluster?: boolean }).isCluster === true;
}

const reconnect = (minMs: number, maxMs: number) => (times: number) =>
  Math.min(maxMs, minMs * 2 ** Math.min(times, 10));

export function redisOptions(role: RedisRole, name?: string): RedisOptions {
  // disconnectTimeout: a socket that never opened would otherwise keep the process alive 2 s after disconnect().
  const base: RedisOptions = { connectionName: name, connectTimeout: 3000, lazyConnect: false, disconnectTimeout: 100 };
  switch (role) {
    case 'worker':
      return { ...base, maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: reconnect(500, 20000) };
    case 'producer':
      return {
        ...base,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        commandTimeout: 2000,
        retryStrategy: reconnect(100, 2000),
      };
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

/** For one-shot connections (the CLI): how long to wait, and when to give up reconnecting (null). */
export interface ConnectOverrides {
  connectTimeoutMs?: number;
  retryStrategy?: (times: number) => number | null;
}

function seedOf(url: URL): RedisSeed {
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port: Number(url.port || 6379) };
}

/** REDIS_URL's node first, then REDIS_CLUSTER_NODES, each once. */
export function clusterSeeds(target: RedisTarget): RedisSeed[] {
  const all = [seedOf(new URL(target.redisUrl)), ...(target.redisClusterNodes ?? [])];
  return all.filter((s, i) => all.findIndex((o) => o.host === s.host && o.port === s.port) === i);
}

export function clusterOptions(
  target: RedisTarget,
  role: RedisRole,
  name?: string,
  overrides: ConnectOverrides = {},
): ClusterOptions {
  const { retryStrategy, enableOfflineQueue, enableAutoPipelining, lazyConnect, ...node } = redisOptions(role, name);
  const url = new URL(target.redisUrl);
  return {
    clusterRetryStrategy: overrides.retryStrategy ?? retryStrategy,
    enableOfflineQueue,
    enableAutoPipelining,
    lazyConnect,
    redisOptions: {
      ...node,
      ...(overrides.connectTimeoutMs === undefined ? {} : { connectTimeout: overrides.connectTimeoutMs }),
      username: url.username ? decodeURIComponent(url.username) : undefined,
      password: url.password ? decodeURIComponent(url.password) : undefined,
      tls: url.protocol === 'rediss:' ? {} : undefined,
    },
  };
}

/**
 * A connection for `role`: to the Redis at `target` (a URL, or a configuration's redisUrl), or,
 * when the configuration has REDIS_CLUSTER_NODES, a Cluster client seeded with them.
 */
export function createRedis(url: string, role: RedisRole, name?: string, overrides?: ConnectOverrides): Redis;
export function createRedis(
  target: string | RedisTarget,
  role: RedisRole,
  name?: string,
  overrides?: ConnectOverrides,
): RedisConnection;
export function createRedis(
  target: string | RedisTarget,
  role: RedisRole,
  name?: string,
  overrides: ConnectOverrides = {},
): RedisConnection {
  const t: RedisTarget = typeof target === 'string' ? { redisUrl: target } : target;
  const redis = t.redisClusterNodes?.length
    ? new Cluster(clusterSeeds(t), clusterOptions(t, role, name, overrides))
    : new Redis(t.redisUrl, {
        ...redisOptions(role, name),
        ...(overrides.connectTimeoutMs === undefined ? {} : { connectTimeout: overrides.connectTimeoutMs }),
        ...(overrides.retryStrategy ? { retryStrategy: overrides.retryStrategy } : {}),
      });
  // Connection errors are reported through the commands that fail and through readiness;
  // an unhandled 'error' event would crash the process on every reconnect attempt.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Throws, saying how to fix it, when `prefix` cannot hold a BullMQ queue on `connection`: on
 * a Redis Cluster every key of a queue must hash to one slot, so the prefix needs a hash tag.
 */
export function assertQueuePrefixFits(connection: RedisConnection, prefix: string): void {
  const problem = isCluster(connection) ? clusterPrefixProblem(prefix) : undefined;
  if (problem) throw new Error(problem);
}

/** Resolves when the connection is ready, or rejects after `timeoutMs`. */
export async function waitForRedis(redis: RedisConnection, timeoutMs = 5000): Promise<void> {
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
