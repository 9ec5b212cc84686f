import type { EnvReader } from './env';

/** One seed node of a Redis Cluster: the client asks it for the cluster's layout. */
export interface RedisSeed {
  host: string;
  port: number;
}

/** Where a program's Redis is: one server (`redisUrl`), or a Redis Cluster when `redisClusterNodes` is set. */
export interface RedisTarget {
  /**
   * The Redis URL. With `redisClusterNodes`, one more seed node of the cluster, and its user
   * name, password and scheme (`rediss:` = TLS) are used on every node.
   */
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: set, the programs connect with a Redis Cluster client. */
  redisClusterNodes?: readonly RedisSeed[] | undefined;
}

export const CLUSTER_NODES_VARIABLE = 'REDIS_CLUSTER_NODES';

const SEED = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)):(\d{1,5})$/;

/** `host:port` (`[v6]:port` for IPv6) → a seed, or undefined when it is not one. */
export function parseSeed(entry: string): RedisSeed | undefined {
  const m = SEED.exec(entry);
  const port = Number(m?.[3]);
  const host = m?.[1] ?? m?.[2];
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/**
 * REDIS_CLUSTER_NODES: a comma-separated list of seed nodes, `host:port` each. Unset: one
 * Redis server (REDIS_URL). A malformed list is a problem naming the variable; an entry is
 * echoed only when it cannot be a URL carrying a password.
 */
export function readClusterNodes(r: EnvReader): RedisSeed[] | undefined {
  const raw = r.optionalStr(CLUSTER_NODES_VARIABLE);
  if (raw === undefined) return undefined;
  const entries = raw.split(',').map((e) => e.trim());
  const seeds: RedisSeed[] = [];
  const bad: string[] = [];
  entries.forEach((entry, i) => {
    const seed = parseSeed(entry);
    if (seed) seeds.push(seed);
    else
      bad.push(
        entry === ''
          ? `entry ${i + 1} is empty`
          : /[@/]/.test(entry)
            ? `entry ${i + 1} is not host:port`
            : `"${entry}" is not host:port`,
      );
  });
  if (bad.length) {
    r.problems.push(
      `${CLUSTER_NODES_VARIABLE} must be a comma-separated list of Redis Cluster nodes as host:port, e.g. redis-1:6379,redis-2:6379 ([::1]:7000 for IPv6): ${bad.join('; ')}`,
    );
    return undefined;
  }
  return seeds;
}

/**
 * The hash tag of keys that start with `prefix`, by Redis Cluster's rule: the text between the
 * first `{` and the first `}` after it, when not empty. Every key starting with a prefix that has
 * one hashes to the same slot; undefined when the prefix has none.
 */
export function hashTagOf(prefix: string): string | undefined {
  const open = prefix.indexOf('{');
  if (open < 0) return undefined;
  const close = prefix.indexOf('}', open + 1);
  return close > open + 1 ? prefix.slice(open + 1, close) : undefined;
}

/** Why `prefix` cannot be used on a Redis Cluster, and how to fix it; undefined when it can. */
export function clusterPrefixProblem(prefix: string): string | undefined {
  if (hashTagOf(prefix) !== undefined) return undefined;
  const suggestion = `{${prefix.replace(/[{}]/g, '') || 'utm'}}`;
  return (
    `QUEUE_PREFIX "${prefix}" is not hash-tagged: on a Redis Cluster (${CLUSTER_NODES_VARIABLE}) all keys of a queue must hash to one slot ` +
    `for BullMQ's multi-key scripts, so the prefix must hold a non-empty {…} hash tag. Set QUEUE_PREFIX=${suggestion} (the default is {utm})`
  );
}
