import {
  freePort,
  isolatedDatabase,
  startRedisCluster,
  uniqueClusterPrefix,
  type IsolatedDatabase,
  type RedisClusterProcess,
} from '@utm/testkit';
import { loadCompose, ourServices, type ComposeService } from './support/compose';
import { eventually, runProgram, type Program } from './support/programs';

/**
 * Each service's real start path (its built main.js with its compose environment) on a real
 * three-master Redis Cluster of the test's own, configured as an operator would: REDIS_URL
 * plus REDIS_CLUSTER_NODES. A malformed node list or a prefix without a hash tag is refused
 * at start naming what to fix, a master that may evict keys is named, and a correct setup
 * starts and is ready.
 */
const apps = ourServices(loadCompose().resolved).filter(([name]) => name !== 'migrate');

interface Run {
  name: string;
  program: Program;
  port: string;
}

async function startAll(env: Record<string, string>): Promise<Run[]> {
  return Promise.all(
    apps.map(async ([name, s]: [string, ComposeService]) => {
      const portVar = s.environment?.PORT !== undefined ? 'PORT' : 'OPS_PORT';
      const port = String(await freePort());
      return {
        name,
        port,
        program: runProgram(s.command ?? [], { ...s.environment, LOG_LEVEL: 'warn', [portVar]: port, ...env }),
      };
    }),
  );
}

/** Runs every service with `env` and returns how each ended (or 'still running' after 30 s) and what it said. */
async function refusals(env: Record<string, string>) {
  const runs = await startAll(env);
  return Promise.all(
    runs.map(async ({ name, program }) => {
      let timer: NodeJS.Timeout | undefined;
      const exit = await Promise.race([
        program.exited,
        new Promise((r) => (timer = setTimeout(() => r('still running after 30 s'), 30000))),
      ]);
      clearTimeout(timer);
      await program.stop();
      return { name, exit, stderr: program.stderr() };
    }),
  );
}

describe('the services on a Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  let cluster: RedisClusterProcess;
  let database: IsolatedDatabase;
  const env = () => ({ DATABASE_URL: database.url, ...cluster.env, QUEUE_PREFIX: uniqueClusterPrefix('rc') });

  beforeAll(async () => {
    cluster = await startRedisCluster();
    database = await isolatedDatabase('rcluster');
  }, 60000);
  afterAll(async () => {
    await cluster?.stop();
    await database?.drop();
  });

  it('a malformed node list or an untagged QUEUE_PREFIX: each service exits 2 saying which variable and how to fix it', async () => {
    expect(apps.map(([name]) => name).sort()).toEqual([
      'broker-executor',
      'ingest-gateway',
      'notifier',
      'signal-processor',
    ]);
    for (const run of await refusals({
      ...env(),
      REDIS_CLUSTER_NODES: `${cluster.env.REDIS_CLUSTER_NODES};127.0.0.1`,
    })) {
      expect({ ...run, stderr: undefined }).toEqual({
        name: run.name,
        exit: { code: 2, signal: null },
        stderr: undefined,
      });
      expect(run.stderr).toContain(`${run.name}: invalid configuration`);
      expect(run.stderr).toContain(
        'REDIS_CLUSTER_NODES must be a comma-separated list of Redis Cluster nodes as host:port',
      );
    }
    for (const run of await refusals({ ...env(), QUEUE_PREFIX: 'utm' })) {
      expect({ ...run, stderr: undefined }).toEqual({
        name: run.name,
        exit: { code: 2, signal: null },
        stderr: undefined,
      });
      expect(run.stderr).toContain('QUEUE_PREFIX "utm" is not hash-tagged');
      expect(run.stderr).toContain('Set QUEUE_PREFIX={utm}');
    }
  }, 90000);

  it('a master that may evict keys: each service exits 1 naming that master', async () => {
    const last = cluster.nodes[cluster.nodes.length - 1];
    await last?.admin.call('CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru');
    try {
      for (const run of await refusals(env())) {
        expect({ ...run, stderr: undefined }).toEqual({
          name: run.name,
          exit: { code: 1, signal: null },
          stderr: undefined,
        });
        expect(run.stderr).toContain(`Redis Cluster master 127.0.0.1:${last?.port} maxmemory-policy is "volatile-lru"`);
      }
    } finally {
      await last?.admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  }, 90000);

  it('configured right, each service starts on the cluster, answers /readyz and stops cleanly', async () => {
    const runs = await startAll(env());
    try {
      for (const { name, program, port } of runs) {
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
      }
    } finally {
      for (const { name, program } of runs)
        expect({ name, exit: await program.stop() }).toEqual({ name, exit: { code: 0, signal: null } });
    }
  }, 90000);
});
