import { randomUUID } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { JOBS, type SignalJob } from '@utm/contracts';
import { startRedisCluster, uniqueClusterPrefix, type RedisClusterProcess } from '@utm/testkit';
import {
  assertNoEviction,
  createConsumer,
  createRedis,
  isCluster,
  Producer,
  QueueStats,
  waitForRedis,
  type RedisConnection,
} from '../src';

/**
 * A real Redis Cluster of the test's own (three masters from redis-server on PATH): the
 * connections of every role are Cluster clients, BullMQ queues work on them with a hash-tagged
 * prefix and keep each queue's keys on one slot, a prefix without a hash tag is refused before
 * anything is written, and the eviction check reads every master.
 */
const signal = (): SignalJob => ({ signalId: randomUUID(), accountId: randomUUID() });

/** Every key of the cluster under `pattern`, by the port of the node holding it. */
async function keysByNode(c: RedisClusterProcess, pattern: string): Promise<Record<number, string[]>> {
  const out: Record<number, string[]> = {};
  for (const n of c.nodes) {
    const keys = await n.admin.keys(pattern);
    if (keys.length) out[n.port] = keys;
  }
  return out;
}

describe('on a Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  const conns: RedisConnection[] = [];
  const connect = (role: 'producer' | 'worker' | 'client') => {
    const c = createRedis(cluster.target, role, `test-${role}`);
    conns.push(c);
    return c;
  };

  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60000);
  afterAll(async () => {
    for (const c of conns) c.disconnect();
    await cluster?.stop();
  });

  it('every role connects with a Cluster client with its BullMQ options (a worker retries forever, the others fail fast) and follows the slot layout', async () => {
    const [producer, worker, client] = [connect('producer'), connect('worker'), connect('client')] as Cluster[];
    for (const c of [producer, worker, client]) {
      expect(isCluster(c as RedisConnection)).toBe(true);
      await waitForRedis(c as RedisConnection);
    }
    expect(worker?.options.redisOptions?.maxRetriesPerRequest).toBeNull(); // BullMQ requires it of a worker's connection
    expect(worker?.options.enableOfflineQueue).toBe(true);
    expect(producer?.options).toMatchObject({ enableOfflineQueue: false, redisOptions: { maxRetriesPerRequest: 1 } });
    expect(client?.options).toMatchObject({ enableOfflineQueue: false, enableAutoPipelining: true });
    // Keys in other slots are served by other masters: the client follows the cluster's layout.
    for (const tag of ['a', 'b', 'c', 'd', 'e']) await client?.set(`{${tag}}:probe`, tag);
    expect(Object.keys(await keysByNode(cluster, '{?}:probe')).length).toBeGreaterThan(1);
    for (const tag of ['a', 'b', 'c', 'd', 'e']) expect(await client?.get(`{${tag}}:probe`)).toBe(tag);
  });

  it('a hash-tagged prefix: jobs are added and consumed, and all keys of both queues sit on one node', async () => {
    const prefix = uniqueClusterPrefix('cq');
    const signals = new Producer(JOBS.signals, { connection: connect('producer'), prefix });
    const orders = new Producer(JOBS.orders, { connection: connect('producer'), prefix });
    const seen: string[] = [];
    const worker = createConsumer(JOBS.signals, async (d) => void seen.push(d.signalId), {
      connection: connect('worker'),
      prefix,
    });
    try {
      const jobs = [signal(), signal(), signal()];
      await signals.add(jobs[0] as SignalJob);
      await signals.addBulk(jobs.slice(1));
      await orders.add({ orderId: randomUUID(), accountId: randomUUID(), signalId: randomUUID() });
      const deadline = Date.now() + 10000;
      while (seen.length < jobs.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(seen.sort()).toEqual(jobs.map((j) => j.signalId).sort());
      const stats = await new QueueStats({ connection: connect('client'), prefix }, [
        JOBS.signals.queue,
        JOBS.orders.queue,
      ]).snapshot();
      expect(stats.map((s) => [s.queue, s.counts.waiting])).toEqual([
        ['signals', 0],
        ['orders', 1],
      ]);
      const byNode = await keysByNode(cluster, `${prefix.replace(/[{}]/g, '\\$&')}:*`);
      expect(Object.keys(byNode)).toHaveLength(1);
      expect(Object.values(byNode)[0]).toEqual(
        expect.arrayContaining([`${prefix}:signals:meta`, `${prefix}:orders:wait`]),
      );
    } finally {
      await worker.close();
      await signals.queue.obliterate({ force: true });
      await orders.queue.obliterate({ force: true });
      await signals.close();
      await orders.close();
    }
  });

  it('a prefix without a hash tag is refused, saying how to fix it, before anything is written', async () => {
    const prefix = `plain-${randomUUID().slice(0, 8)}`;
    const fix = new RegExp(`QUEUE_PREFIX "${prefix}" is not hash-tagged[\\s\\S]*Set QUEUE_PREFIX=\\{${prefix}\\}`);
    expect(() => new Producer(JOBS.signals, { connection: connect('producer'), prefix })).toThrow(fix);
    expect(() =>
      createConsumer(JOBS.signals, async () => undefined, { connection: connect('worker'), prefix }),
    ).toThrow(fix);
    expect(() => new QueueStats({ connection: connect('client'), prefix }, [JOBS.signals.queue])).toThrow(fix);
    await new Promise((r) => setTimeout(r, 200));
    expect(await keysByNode(cluster, `${prefix}*`)).toEqual({});
  });

  it('the eviction check reads every master and names each one that may evict', async () => {
    const client = connect('client');
    await expect(assertNoEviction(client, { timeoutMs: 5000 })).resolves.toBeUndefined();
    const [, second] = cluster.nodes;
    await second?.admin.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const err = await assertNoEviction(client, { timeoutMs: 5000 }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(err?.message).toContain(
        `Redis Cluster master 127.0.0.1:${second?.port} maxmemory-policy is "allkeys-lru"`,
      );
      expect(err?.message).toMatch(/Refusing to start; set it to noeviction[\s\S]*on every master of the cluster/);
      for (const n of cluster.nodes.filter((x) => x !== second)) expect(err?.message).not.toContain(`:${n.port} `);
    } finally {
      await second?.admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
    }
  });
});

describe('a Redis Cluster formed by CLUSTER ADDSLOTSRANGE and CLUSTER MEET (without redis-cli --cluster)', () => {
  it('serves queues the same way', async () => {
    const cluster = await startRedisCluster({ via: 'meet' });
    const conn = createRedis(cluster.target, 'producer');
    try {
      const producer = new Producer(JOBS.signals, { connection: conn, prefix: uniqueClusterPrefix('meet') });
      const job = signal();
      await producer.add(job);
      expect((await producer.queue.getJob(job.signalId))?.data).toEqual(job);
      await producer.close();
    } finally {
      conn.disconnect();
      await cluster.stop();
    }
  }, 60000);
});
