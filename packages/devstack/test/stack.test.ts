import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { testDatabaseUrl, testRedisUrl } from '@utm/testkit';
import { loadDevstackConfig } from '../src/config';
import { stopAll } from '../src/lifecycle';
import { redactUrl } from '../src/log';
import { probePostgres, probeRedis } from '../src/probe';
import { NO_REDIS_MESSAGE } from '../src/redis-server';
import { resolvePostgres, resolveRedis } from '../src/stack';

async function migrationsIn(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM "_prisma_migrations"');
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** A port that something other than Postgres/Redis listens on, for as long as the test runs. */
function stranger(): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.end());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

const env = (over: Record<string, string | undefined>) => loadDevstackConfig({ PATH: process.env.PATH, ...over });
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'devstack-stack-'));
});

afterAll(async () => {
  await stopAll(); // nothing should have been started; stop it if it was
  rmSync(tmp, { recursive: true, force: true });
});

describe('config', () => {
  it('reads the environment once, with defaults', () => {
    const cfg = env({ DATABASE_URL: ' ', UTM_DEVSTACK_FORCE_EMBEDDED: 'true', CI: 'true' });
    expect(cfg).toMatchObject({ databaseUrl: undefined, forceEmbedded: true, gatewayPort: 3000, logLevel: undefined });
    expect(cfg.inheritedEnv.CI).toBe('true');
    expect(() => env({ PORT: 'abc' })).toThrow(/PORT must be an integer/);
  });

  it('never prints a password', () => {
    expect(redactUrl('postgresql://u:secret@db:5432/x')).toBe('postgresql://u:***@db:5432/x');
    expect(redactUrl('not a url with secret')).toBe('<unparseable URL>');
  });
});

describe('resolving the stores', () => {
  it('uses DATABASE_URL and REDIS_URL as given, after migrating', async () => {
    const config = env({ DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() });
    const pg = await resolvePostgres({ purpose: 'test', config, baseDir: tmp });
    const redis = await resolveRedis({ purpose: 'test', config, baseDir: tmp });
    expect(pg).toMatchObject({ url: testDatabaseUrl(), source: 'env', pid: undefined });
    expect(redis).toMatchObject({ url: testRedisUrl(), source: 'env', pid: undefined });
    expect(await migrationsIn(pg.url)).toBeGreaterThan(0);
  });

  it('finds the local services on 127.0.0.1:5432 and :6379 when nothing is configured', async () => {
    const localPg = await probePostgres('postgresql://postgres@127.0.0.1:5432/postgres');
    const localRedis = await probeRedis(6379);
    if (!localPg.ok || !localRedis.ok) {
      // A machine without them: the embedded fallbacks are covered by embedded.test.ts.
      console.warn('local Postgres/Redis not running: skipping the local-services check');
      return;
    }
    const config = env({});
    const pg = await resolvePostgres({ purpose: 'test', config, baseDir: tmp });
    const redis = await resolveRedis({ purpose: 'test', config, baseDir: tmp });
    expect(pg).toMatchObject({ url: 'postgresql://postgres@127.0.0.1:5432/utm_test', source: 'local' });
    expect(redis).toMatchObject({ url: 'redis://127.0.0.1:6379', source: 'local' });
    expect(await migrationsIn(pg.url)).toBeGreaterThan(0);
  });

  it('refuses a port held by a program it did not start', async () => {
    const server = await stranger();
    const port = (server.address() as net.AddressInfo).port;
    try {
      const config = env({ UTM_DEVSTACK_FORCE_EMBEDDED: '1' });
      await expect(resolveRedis({ purpose: 'test', config, baseDir: tmp, port })).rejects.toThrow(
        new RegExp(`port ${port} \\(for the redis-server\\) is taken by another program`),
      );
    } finally {
      server.close();
    }
  });

  it("with REDIS_CLUSTER_NODES: npm start uses the user's cluster through REDIS_URL; it never starts one, and npm test refuses it", async () => {
    const nodes = '127.0.0.1:7001,127.0.0.1:7002';
    const cluster = env({ REDIS_URL: 'redis://127.0.0.1:7000', REDIS_CLUSTER_NODES: nodes });
    expect(cluster.redisClusterNodes).toBe(nodes);
    await expect(resolveRedis({ purpose: 'dev', config: cluster, baseDir: tmp })).resolves.toMatchObject({
      url: 'redis://127.0.0.1:7000',
      clusterNodes: nodes,
      source: 'env',
      pid: undefined,
    });
    await expect(
      resolveRedis({ purpose: 'dev', config: env({ REDIS_CLUSTER_NODES: nodes }), baseDir: tmp }),
    ).rejects.toThrow(/REDIS_CLUSTER_NODES is set: set REDIS_URL to one node of that cluster/);
    await expect(
      resolveRedis({
        purpose: 'dev',
        config: env({
          REDIS_URL: 'redis://127.0.0.1:7000',
          REDIS_CLUSTER_NODES: nodes,
          UTM_DEVSTACK_FORCE_EMBEDDED: '1',
        }),
        baseDir: tmp,
      }),
    ).rejects.toThrow(/does not start a Redis Cluster/);
    await expect(resolveRedis({ purpose: 'test', config: cluster, baseDir: tmp })).rejects.toThrow(
      /npm test runs against one Redis/,
    );
  });

  it('says in one line how to get Redis when there is none', async () => {
    const config = { ...env({ UTM_DEVSTACK_FORCE_EMBEDDED: '1' }), pathDirs: [tmp] };
    await expect(resolveRedis({ purpose: 'test', config, baseDir: tmp })).rejects.toThrow(NO_REDIS_MESSAGE);
    expect(NO_REDIS_MESSAGE).not.toContain('\n');
  });
});
