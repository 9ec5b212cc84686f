import {
  freePort,
  isolatedDatabase,
  startRedisProcess,
  testDatabaseUrl,
  uniquePrefix,
  type IsolatedDatabase,
  type RedisProcess,
} from '@utm/testkit';
import { loadCompose, ourServices, type ComposeService } from './support/compose';
import { eventually, runProgram } from './support/programs';

/**
 * Each service's real start path (its built main.js, as compose runs it) against Redis
 * servers of the test's own: a maxmemory-policy that can evict keys makes it refuse to start,
 * saying which policy it found and how to fix it, also where CONFIG is disabled as on managed
 * Redis; noeviction lets it start. The shared Redis on 6379 is never reconfigured.
 */
const apps = ourServices(loadCompose().resolved).filter(([name]) => name !== 'migrate');

function start(s: ComposeService, redisUrl: string, databaseUrl: string, port: string) {
  const portVar = s.environment?.PORT !== undefined ? 'PORT' : 'OPS_PORT';
  return runProgram(s.command ?? [], {
    ...s.environment,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: uniquePrefix('evict'),
    LOG_LEVEL: 'warn',
    [portVar]: port,
  });
}

describe('services refuse a Redis that may evict queue keys', () => {
  let lru: RedisProcess;
  let managed: RedisProcess;
  let database: IsolatedDatabase;
  beforeAll(async () => {
    lru = await startRedisProcess(['--maxmemory-policy', 'allkeys-lru']);
    managed = await startRedisProcess(['--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', '']);
    database = await isolatedDatabase('eviction');
  });
  afterAll(async () => {
    await lru?.stop();
    await managed?.stop();
    await database?.drop();
  });

  it('each service exits 1 naming the policy found and how to set noeviction', async () => {
    expect(apps.map(([name]) => name).sort()).toEqual([
      'broker-executor',
      'ingest-gateway',
      'notifier',
      'signal-processor',
    ]);
    const runs = await Promise.all(
      apps.flatMap(([name, s]) =>
        [
          { redis: lru, policy: 'allkeys-lru' },
          { redis: managed, policy: 'volatile-lru' },
        ].map(async ({ redis, policy }) => {
          const program = start(s, redis.url, testDatabaseUrl(), String(await freePort()));
          let timer: NodeJS.Timeout | undefined;
          const exit = await Promise.race([
            program.exited,
            new Promise((r) => (timer = setTimeout(() => r('still running after 30 s'), 30000))),
          ]);
          clearTimeout(timer);
          await program.stop();
          return { name, policy, exit, stderr: program.stderr() };
        }),
      ),
    );
    for (const run of runs) {
      expect({ ...run, stderr: undefined }).toEqual({
        name: run.name,
        policy: run.policy,
        exit: { code: 1, signal: null },
        stderr: undefined,
      });
      expect(run.stderr).toContain(`${run.name} failed to start: Redis maxmemory-policy is "${run.policy}"`);
      expect(run.stderr).toContain('`redis-cli CONFIG SET maxmemory-policy noeviction`');
      expect(run.stderr).toMatch(/redis\.conf.*managed Redis.*parameter group/s);
    }
  }, 90000);

  it('with noeviction each service starts, answers /readyz, and stops cleanly', async () => {
    await lru.admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    await Promise.all(
      apps.map(async ([name, s]) => {
        const port = String(await freePort());
        const program = start(s, lru.url, database.url, port);
        try {
          await eventually(
            `${name} ready`,
            async () =>
              program.child.exitCode !== null ||
              (await fetch(`http://127.0.0.1:${port}/readyz`).then(
                (r) => r.status === 200,
                () => false,
              )),
            60000,
          );
          expect({ name, exitCode: program.child.exitCode, stderr: program.stderr() }).toEqual({
            name,
            exitCode: null,
            stderr: '',
          });
        } finally {
          expect({ name, exit: await program.stop() }).toEqual({ name, exit: { code: 0, signal: null } });
        }
      }),
    );
  }, 90000);
});
