import { ensureDatabase, migrate } from '@utm/db';
import { loadDevstackConfig, type DevstackConfig } from './config';
import { startEmbeddedPostgres, type RunningServer } from './embedded-postgres';
import { DevstackError, errorMessage, redactUrl, say, shortPath } from './log';
import { dataDirOf, REPO_ROOT } from './paths';
import { probePostgres, probeRedis } from './probe';
import { startRedisServer } from './redis-server';

/**
 * docs/contract.md, "Running": Postgres from DATABASE_URL, else 127.0.0.1:5432 if it answers, else an
 * embedded one under .data/; Redis from REDIS_URL, else 127.0.0.1:6379, else redis-server
 * from PATH under .data/. What we start is stopped by stop() or when the process ends.
 */
export type Purpose = 'dev' | 'test';

export interface ResolveOptions {
  purpose: Purpose;
  config?: DevstackConfig;
  root?: string;
  /** Where embedded servers keep their data (default `<root>/.data`). */
  baseDir?: string;
  /** Port for an embedded server (default per purpose: Postgres 54329/54330, Redis 63790/63791). */
  port?: number;
}

export interface ResolvedStore {
  url: string;
  /** Redis only: REDIS_CLUSTER_NODES, when `url` is a node of a Redis Cluster. */
  clusterNodes?: string | undefined;
  source: 'env' | 'local' | 'embedded';
  /** The server's pid when it is an embedded one. */
  pid: number | undefined;
  /** Stops the server if this process started (or adopted) it; otherwise a no-op. */
  stop(): Promise<void>;
}

export const EMBEDDED_PORTS = { postgres: { dev: 54329, test: 54330 }, redis: { dev: 63790, test: 63791 } } as const;
const DATABASE_NAMES = { dev: 'utm', test: 'utm_test' } as const;
const LOCAL_POSTGRES = 'postgresql://postgres@127.0.0.1:5432';
const LOCAL_REDIS_PORT = 6379;
const noop = async (): Promise<void> => undefined;

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function embeddedNote(server: RunningServer, dir: string, root: string): string {
  return `embedded, ${server.how}, ${shortPath(root, dir)}`;
}

export async function resolvePostgres(opts: ResolveOptions): Promise<ResolvedStore> {
  const cfg = opts.config ?? loadDevstackConfig();
  const root = opts.root ?? REPO_ROOT;
  const database = DATABASE_NAMES[opts.purpose];
  let store: ResolvedStore | undefined;
  let note: string;
  if (!cfg.forceEmbedded && cfg.databaseUrl) {
    store = { url: cfg.databaseUrl, source: 'env', pid: undefined, stop: noop };
    note = 'from DATABASE_URL';
  } else {
    let why = 'UTM_DEVSTACK_FORCE_EMBEDDED is set';
    if (!cfg.forceEmbedded) {
      const probe = await probePostgres(`${LOCAL_POSTGRES}/postgres`);
      if (probe.ok) store = { url: `${LOCAL_POSTGRES}/${database}`, source: 'local', pid: undefined, stop: noop };
      else
        why = probe.refused
          ? 'nothing answers on 127.0.0.1:5432'
          : `127.0.0.1:5432 refused user postgres: ${probe.reason}`;
    }
    if (store) {
      note = 'local';
    } else {
      const baseDir = opts.baseDir ?? dataDirOf(root);
      const name = opts.purpose === 'test' ? 'postgres-test' : 'postgres';
      const server = await startEmbeddedPostgres({
        baseDir,
        name,
        port: opts.port ?? EMBEDDED_PORTS.postgres[opts.purpose],
        fast: opts.purpose === 'test',
        env: cfg.inheritedEnv,
      });
      store = { url: withDatabase(server.url, database), source: 'embedded', pid: server.pid, stop: server.stop };
      note = `${embeddedNote(server, `${baseDir}/${name}`, root)}; ${why}`;
    }
  }
  try {
    await ensureDatabase(store.url);
    const { applied } = await migrate(store.url);
    if (applied.length) note += `; applied ${applied.length} migration(s)`;
  } catch (err) {
    // The test database is disposable: jest's global setup (@utm/testkit) drops and rebuilds
    // it when a migration was edited before release. Leave that policy to it.
    if (opts.purpose !== 'test' || !/checksum mismatch|failed earlier/.test(errorMessage(err))) {
      throw new DevstackError(`Postgres at ${redactUrl(store.url)}: ${errorMessage(err)}`);
    }
    note += `; ${errorMessage(err)}: the tests' global setup rebuilds it`;
  }
  say(`Postgres: ${redactUrl(store.url)} (${note})`);
  return store;
}

export async function resolveRedis(opts: ResolveOptions = { purpose: 'dev' }): Promise<ResolvedStore> {
  const cfg = opts.config ?? loadDevstackConfig();
  const root = opts.root ?? REPO_ROOT;
  let store: ResolvedStore;
  let note: string;
  if (cfg.redisClusterNodes) {
    // A Redis Cluster is only ever the user's own: nothing here starts one.
    if (opts.purpose === 'test') {
      throw new DevstackError(
        'REDIS_CLUSTER_NODES is set: npm test runs against one Redis (its Redis Cluster tests start a cluster of their own); unset it',
      );
    }
    if (cfg.forceEmbedded || !cfg.redisUrl) {
      throw new DevstackError(
        'REDIS_CLUSTER_NODES is set: set REDIS_URL to one node of that cluster as well (npm start does not start a Redis Cluster), or unset it',
      );
    }
    store = { url: cfg.redisUrl, clusterNodes: cfg.redisClusterNodes, source: 'env', pid: undefined, stop: noop };
    note = 'from REDIS_URL, a Redis Cluster with the nodes of REDIS_CLUSTER_NODES';
  } else if (!cfg.forceEmbedded && cfg.redisUrl) {
    store = { url: cfg.redisUrl, source: 'env', pid: undefined, stop: noop };
    note = 'from REDIS_URL';
  } else if (!cfg.forceEmbedded && (await probeRedis(LOCAL_REDIS_PORT)).ok) {
    store = { url: `redis://127.0.0.1:${LOCAL_REDIS_PORT}`, source: 'local', pid: undefined, stop: noop };
    note = 'local';
  } else {
    const baseDir = opts.baseDir ?? dataDirOf(root);
    const name = opts.purpose === 'test' ? 'redis-test' : 'redis';
    const server = await startRedisServer({
      baseDir,
      name,
      port: opts.port ?? EMBEDDED_PORTS.redis[opts.purpose],
      pathDirs: cfg.pathDirs,
      env: cfg.inheritedEnv,
    });
    store = { url: server.url, source: 'embedded', pid: server.pid, stop: server.stop };
    const why = cfg.forceEmbedded ? 'UTM_DEVSTACK_FORCE_EMBEDDED is set' : 'nothing answers PING on 127.0.0.1:6379';
    note = `${embeddedNote(server, `${baseDir}/${name}`, root).replace('embedded', 'redis-server')}; ${why}`;
  }
  say(`Redis: ${redactUrl(store.url)} (${note})`);
  return store;
}

export interface Stack {
  databaseUrl: string;
  redisUrl: string;
  /** REDIS_CLUSTER_NODES for the services, when Redis is a cluster. */
  redisClusterNodes: string | undefined;
  postgres: ResolvedStore;
  redis: ResolvedStore;
  /** Stops what this process started, Redis first. */
  stop(): Promise<void>;
}

/** Both stores, Postgres first (sequential: clearer messages, and a failure stops early). */
export async function resolveStack(opts: Omit<ResolveOptions, 'port'>): Promise<Stack> {
  const config = opts.config ?? loadDevstackConfig();
  const postgres = await resolvePostgres({ ...opts, config });
  const redis = await resolveRedis({ ...opts, config });
  return {
    databaseUrl: postgres.url,
    redisUrl: redis.url,
    redisClusterNodes: redis.clusterNodes,
    postgres,
    redis,
    stop: async () => {
      await redis.stop();
      await postgres.stop();
    },
  };
}
