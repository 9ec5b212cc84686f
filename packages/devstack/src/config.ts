/**
 * The one place this package reads the environment. Everything else receives a
 * DevstackConfig, so tests can pass their own.
 */
export interface DevstackConfig {
  /** DATABASE_URL, used as is (ignored when forceEmbedded). */
  databaseUrl: string | undefined;
  /** REDIS_URL, used as is (ignored when forceEmbedded). */
  redisUrl: string | undefined;
  /** REDIS_CLUSTER_NODES: REDIS_URL is then a node of a Redis Cluster (the services validate the list). */
  redisClusterNodes: string | undefined;
  /** UTM_DEVSTACK_FORCE_EMBEDDED=1: skip DATABASE_URL/REDIS_URL and the local services, start our own. */
  forceEmbedded: boolean;
  /** UTM_ENCRYPTION_KEY, when the user provides one. */
  encryptionKey: string | undefined;
  /** PORT for the gateway (default 3000). */
  gatewayPort: number;
  /** LOG_LEVEL handed to the services when set. */
  logLevel: string | undefined;
  /** Directories of PATH, where redis-server is looked for. */
  pathDirs: string[];
  /** The environment children inherit (CI, HOME, PATH, …) before we add our variables. */
  inheritedEnv: Record<string, string | undefined>;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

export function loadDevstackConfig(env: Record<string, string | undefined> = process.env): DevstackConfig {
  const portRaw = nonEmpty(env.PORT);
  const gatewayPort = portRaw === undefined ? 3000 : Number(portRaw);
  if (!Number.isInteger(gatewayPort) || gatewayPort < 1 || gatewayPort > 65535) {
    throw new Error(`PORT must be an integer from 1 to 65535 (got "${portRaw ?? ''}")`);
  }
  return {
    databaseUrl: nonEmpty(env.DATABASE_URL),
    redisUrl: nonEmpty(env.REDIS_URL),
    redisClusterNodes: nonEmpty(env.REDIS_CLUSTER_NODES),
    forceEmbedded: /^(1|true|yes|on)$/i.test(nonEmpty(env.UTM_DEVSTACK_FORCE_EMBEDDED) ?? ''),
    encryptionKey: nonEmpty(env.UTM_ENCRYPTION_KEY),
    gatewayPort,
    logLevel: nonEmpty(env.LOG_LEVEL),
    pathDirs: (env.PATH ?? '').split(':').filter(Boolean),
    inheritedEnv: { ...env },
  };
}
