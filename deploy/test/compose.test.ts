import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { CONFIG_LOADERS, configVariables, type ConfiguredProgram, type Env } from '@utm/config';
import { assertNoEviction, createRedis } from '@utm/queue';
import { freePort, startRedisProcess, testDatabaseUrl, testRedisUrl, uniquePrefix } from '@utm/testkit';
import {
  durationMs,
  healthcheckUrl,
  loadCompose,
  ourServices,
  referencedVariables,
  type ComposeService,
} from './support/compose';
import { eventually, mainOf, runHealthcheck, runProgram } from './support/programs';

/**
 * docker-compose.yml, checked without a Docker engine: what it references exists (built
 * commands, variables each program's configuration knows, healthcheck paths), and what can be
 * run is run for real: the migration job, each service with its compose environment and its
 * own healthcheck command, Redis with compose's arguments.
 */
const { raw, resolved, dotenv } = loadCompose();
const services = ourServices(resolved);
const service = (name: string): ComposeService => {
  const s = resolved.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const isProgram = (name: string): name is ConfiguredProgram => name in CONFIG_LOADERS;
const apps = services.filter(([name]) => name !== 'migrate');

describe('docker-compose.yml', () => {
  it('runs the four services and the migration job from our image, and nothing else from it', () => {
    expect(services.map(([name]) => name).sort()).toEqual([
      'broker-executor',
      'ingest-gateway',
      'migrate',
      'notifier',
      'signal-processor',
    ]);
    for (const [, s] of services) expect(s.image).toBe('utm:latest');
  });

  it('every program of our image runs a command that exists in the build output, with only variables its configuration knows', () => {
    const known = configVariables();
    for (const [name, s] of services) {
      expect(s.command?.[0]).toBe('node');
      expect(existsSync(mainOf(s.command ?? []))).toBe(true);
      if (!isProgram(name))
        throw new Error(`no configuration loader is named ${name} (packages/config CONFIG_LOADERS)`);
      const unknown = Object.keys(s.environment ?? {}).filter((v) => !known[name].includes(v));
      expect({ service: name, unknown }).toEqual({ service: name, unknown: [] });
      expect(Object.keys(s.environment ?? {})).toContain('DATABASE_URL');
    }
  });

  it('.env.example sets exactly the variables the file reads, each required one with a value its program accepts', () => {
    const referenced = referencedVariables(raw);
    expect([...dotenv.keys()].sort()).toEqual([...referenced.keys()].sort());
    for (const [name, { optional }] of referenced)
      if (!optional) expect({ name, value: dotenv.get(name) }).not.toEqual({ name, value: '' });
    // The values as compose passes them satisfy each program's loader (URLs, levels, key format).
    for (const [name, s] of services) {
      if (!isProgram(name)) continue;
      const load = CONFIG_LOADERS[name] as (env: Env) => unknown;
      expect(() => load(s.environment ?? {})).not.toThrow();
    }
  });

  it('the services restart, are healthy when /readyz answers on their own port, start after the migrations and healthy stores, and drain before SIGKILL', () => {
    for (const [name, s] of apps) {
      expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
      const url = healthcheckUrl(s);
      expect(url.pathname).toBe('/readyz');
      const port = s.environment?.PORT ?? s.environment?.OPS_PORT;
      expect({ name, port: url.port }).toEqual({ name, port });
      expect(s.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
      });
      expect(s.stop_grace_period).toBeDefined();
      if (name === 'signal-processor' || name === 'broker-executor' || name === 'notifier') {
        const { shutdownTimeoutMs } = CONFIG_LOADERS[name](s.environment ?? {});
        expect(durationMs(s.stop_grace_period ?? '0s')).toBeGreaterThan(shutdownTimeoutMs);
      }
    }
    expect(service('migrate').restart).toBe('no');
    expect(service('migrate').depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });

  it('no service of our image publishes a host port or names its container, so each can be scaled (--scale); the webhook is published by gateway-proxy', () => {
    for (const [name, s] of services)
      expect({ name, ports: s.ports, container_name: s.container_name }).toEqual({
        name,
        ports: undefined,
        container_name: undefined,
      });
    expect(service('ingest-gateway').expose).toEqual([service('ingest-gateway').environment?.PORT]);
    expect(service('gateway-proxy').ports).toEqual([`${dotenv.get('GATEWAY_PORT')}:80`]);
  });

  it('Postgres and Redis keep their data in volumes, have healthchecks and restart', () => {
    const pg = service('postgres');
    const redis = service('redis');
    expect(pg.volumes).toEqual(['pgdata:/var/lib/postgresql/data']);
    expect(pg.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(redis.volumes).toEqual(['redisdata:/data']);
    expect(redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const s of [pg, redis]) expect(s.restart).toBe('unless-stopped');
    for (const v of ['pgdata', 'redisdata']) expect(Object.keys(resolved.volumes ?? {})).toContain(v);
  });

  it('Redis runs with AOF fsynced every second and noeviction: a redis-server given those arguments says so', async () => {
    const command = service('redis').command ?? [];
    expect(command[0]).toBe('redis-server');
    const args = command.slice(1);
    for (const [flag, value] of [
      ['--appendonly', 'yes'],
      ['--appendfsync', 'everysec'],
      ['--maxmemory-policy', 'noeviction'],
    ])
      expect(args[args.indexOf(flag ?? '') + 1]).toBe(value);
    const redis = await startRedisProcess(args);
    const client = createRedis(redis.url, 'client');
    try {
      for (const [key, value] of [
        ['appendonly', 'yes'],
        ['appendfsync', 'everysec'],
        ['maxmemory-policy', 'noeviction'],
      ]) {
        expect(await redis.admin.call('CONFIG', 'GET', key ?? '')).toEqual([key, value]);
      }
      await expect(assertNoEviction(client, { timeoutMs: 5000 })).resolves.toBeUndefined();
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });

  it('for real: the migration job migrates a fresh database; each service starts with its compose environment and its own healthcheck passes', async () => {
    const dbName = `utm_compose_${uniquePrefix('c').replace(/[^a-z0-9]/gi, '')}`.toLowerCase();
    const dbUrl = new URL(testDatabaseUrl());
    dbUrl.pathname = `/${dbName}`;
    const admin = new Client({ connectionString: testDatabaseUrl() });
    await admin.connect();
    const prefix = uniquePrefix('compose');
    try {
      const migrate = service('migrate');
      for (let run = 0; run < 2; run++) {
        const job = runProgram(migrate.command ?? [], { ...migrate.environment, DATABASE_URL: dbUrl.toString() });
        expect({ run, exit: await job.exited, stderr: job.stderr() }).toEqual({
          run,
          exit: { code: 0, signal: null },
          stderr: '',
        });
      }
      const db = new Client({ connectionString: dbUrl.toString() });
      await db.connect();
      const { rows } = await db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM _prisma_migrations WHERE finished_at IS NOT NULL',
      );
      await db.end();
      expect(rows[0]?.n).toBeGreaterThanOrEqual(2);

      for (const [name, s] of apps) {
        const composePort = healthcheckUrl(s).port;
        const portVar = s.environment?.PORT !== undefined ? 'PORT' : 'OPS_PORT';
        const port = String(await freePort());
        const env = {
          ...s.environment,
          DATABASE_URL: dbUrl.toString(),
          REDIS_URL: testRedisUrl(),
          QUEUE_PREFIX: prefix,
          LOG_LEVEL: 'warn',
          [portVar]: port,
        };
        const program = runProgram(s.command ?? [], env);
        try {
          const test = (s.healthcheck?.test ?? []).map((part) => part.replace(`:${composePort}/`, `:${port}/`));
          await eventually(
            `${name}'s healthcheck (${program.stderr()})`,
            async () => (await runHealthcheck(test)) === 0 || program.child.exitCode !== null,
            60000,
          );
          expect({ name, exitCode: program.child.exitCode, stderr: program.stderr() }).toEqual({
            name,
            exitCode: null,
            stderr: '',
          });
          for (const path of ['/healthz', '/readyz', '/metrics'])
            expect({ name, path, status: (await fetch(`http://127.0.0.1:${port}${path}`)).status }).toEqual({
              name,
              path,
              status: 200,
            });
          // And the healthcheck fails when nothing answers there.
          const nobody = String(await freePort());
          expect(await runHealthcheck(test.map((part) => part.replace(`:${port}/`, `:${nobody}/`)))).not.toBe(0);
        } finally {
          expect({ name, exit: await program.stop() }).toEqual({ name, exit: { code: 0, signal: null } });
        }
      }
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      await admin.end();
    }
  }, 240000);
});
