import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './processes';
import { startRedisProcess, type RedisProcess } from './redis-process';

const run = promisify(execFile);
const SLOTS = 16384;

export interface RedisClusterOptions {
  /** Master nodes (no replicas); default 3, as the smallest cluster redis-cli creates. */
  masters?: number;
  /** More redis-server arguments for every node (e.g. `--maxmemory-policy allkeys-lru`). */
  extraArgs?: string[];
  /**
   * How the slots are handed out: `redis-cli --cluster create`, or by hand with CLUSTER
   * ADDSLOTSRANGE and CLUSTER MEET. Default: redis-cli, by hand where it is not on PATH.
   */
  via?: 'redis-cli' | 'meet';
}

export interface RedisClusterProcess {
  /** Its nodes, each a RedisProcess (admin: a plain connection to that node alone). */
  nodes: RedisProcess[];
  /** The environment a service reads to use it: REDIS_URL (the first node) and REDIS_CLUSTER_NODES (the others). */
  env: { REDIS_URL: string; REDIS_CLUSTER_NODES: string };
  /** The same as a configuration's Redis fields, for createRedis(). */
  target: { redisUrl: string; redisClusterNodes: { host: string; port: number }[] };
  stop(): Promise<void>;
}

async function createWithRedisCli(nodes: RedisProcess[]): Promise<void> {
  const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
  await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], {
    timeout: 30000,
  });
}

async function createWithMeet(nodes: RedisProcess[], busPorts: number[]): Promise<void> {
  const per = Math.ceil(SLOTS / nodes.length);
  await Promise.all(
    nodes.map((n, i) =>
      n.admin.call('CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(SLOTS, (i + 1) * per) - 1)),
    ),
  );
  const [first, ...others] = nodes;
  await Promise.all(
    others.map((_, i) =>
      first?.admin.call('CLUSTER', 'MEET', '127.0.0.1', String(others[i]?.port), String(busPorts[i + 1])),
    ),
  );
}

/** Every node says cluster_state:ok, knows every other one and sees every slot assigned. */
async function untilFormed(nodes: RedisProcess[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const infos = await Promise.all(nodes.map((n) => n.admin.call('CLUSTER', 'INFO') as Promise<string>));
    const ok = infos.every(
      (info) =>
        /cluster_state:ok/.test(info) &&
        new RegExp(`cluster_known_nodes:${nodes.length}\\b`).test(info) &&
        new RegExp(`cluster_slots_assigned:${SLOTS}\\b`).test(info),
    );
    if (ok) return;
    const last = infos
      .map(
        (info, i) =>
          `node ${nodes[i]?.port}: ${info
            .split(/\r?\n/)
            .filter((l) => /state|known_nodes|slots_assigned/.test(l))
            .join(' ')}`,
      )
      .join('; ');
    if (Date.now() > deadline) throw new Error(`the Redis Cluster did not form within ${timeoutMs} ms: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * A Redis Cluster of the test's own: `masters` redis-server processes from PATH with cluster
 * mode on, each on a free port with its cluster bus on another free one, their cluster config
 * files in one temporary directory; slots spread over them; resolved once every node agrees
 * the cluster is ok. If anything fails on the way, the nodes already started are stopped.
 * stop() ends every node and removes the directory (servers left running when the test
 * process exits are killed with it).
 */
export async function startRedisCluster(opts: RedisClusterOptions = {}): Promise<RedisClusterProcess> {
  const count = opts.masters ?? 3;
  const dir = mkdtempSync(path.join(tmpdir(), 'utm-redis-cluster-'));
  const nodes: RedisProcess[] = [];
  const stop = async () => {
    await Promise.allSettled(nodes.splice(0).map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Each node's client port and cluster bus port, all distinct.
    const ports = new Set<number>();
    while (ports.size < 2 * count) ports.add(await freePort());
    const [clientPorts, busPorts] = [[...ports].slice(0, count), [...ports].slice(count)];
    for (let i = 0; i < count; i++) {
      const busPort = busPorts[i];
      const args = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        path.join(dir, `nodes-${i + 1}.conf`),
        '--cluster-port',
        String(busPort),
        ...(opts.extraArgs ?? []),
      ];
      nodes.push(await startRedisProcess(args, { dir, port: clientPorts[i] }));
    }
    if (opts.via === 'meet') await createWithMeet(nodes, busPorts);
    else {
      try {
        await createWithRedisCli(nodes);
      } catch (err) {
        if (opts.via === 'redis-cli' || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await createWithMeet(nodes, busPorts); // no redis-cli on PATH
      }
    }
    await untilFormed(nodes, 20000);
  } catch (err) {
    await stop();
    throw err;
  }
  const [first, ...others] = nodes.map((n) => ({ host: '127.0.0.1', port: n.port }));
  const redisUrl = `redis://${first?.host}:${first?.port}`;
  return {
    nodes: [...nodes],
    env: { REDIS_URL: redisUrl, REDIS_CLUSTER_NODES: others.map((s) => `${s.host}:${s.port}`).join(',') },
    target: { redisUrl, redisClusterNodes: others },
    stop,
  };
}
