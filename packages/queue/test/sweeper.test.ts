import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { JOBS, type SignalJob } from '@utm/contracts';
import { testRedisUrl, uniquePrefix } from '@utm/testkit';
import { createRedis, OutboxSweeper, Producer, waitForRedis } from '../src';

const silent = { info: () => undefined, warn: () => undefined };
const newJob = (): SignalJob => ({ signalId: randomUUID(), accountId: randomUUID() });

describe('OutboxSweeper and requeue over real Redis', () => {
  const conn = createRedis(testRedisUrl(), 'producer');
  beforeAll(() => waitForRedis(conn));
  afterAll(() => conn.disconnect());

  it('adds missing jobs, leaves queued ones alone, and pages through a backlog', async () => {
    const prefix = uniquePrefix('sweep');
    const producer = new Producer(JOBS.signals, { connection: conn, prefix });
    const queue = new Queue(JOBS.signals.queue, { connection: conn, prefix });
    try {
      const rows = Array.from({ length: 5 }, (_, i) => ({ seq: BigInt(i + 1), job: newJob() }));
      await producer.add(rows[0]!.job); // already queued before the sweep
      const cursors: bigint[] = [];
      const sweeper = new OutboxSweeper(
        producer,
        async (after, limit) => {
          cursors.push(after);
          return rows.filter((r) => r.seq > after).slice(0, limit);
        },
        silent,
        { intervalMs: 1000, batchSize: 2 },
      );
      // Pages of 2: rows 1-2 (row 1 already queued: 1 added), 3-4, 5, then 1-2 again (all queued now).
      expect([
        await sweeper.sweepOnce(),
        await sweeper.sweepOnce(),
        await sweeper.sweepOnce(),
        await sweeper.sweepOnce(),
      ]).toEqual([1, 2, 1, 0]);
      expect(cursors).toEqual([0n, 2n, 4n, 0n]); // back to the head once the tail is reached
      expect(await queue.getJobCounts('waiting')).toEqual({ waiting: 5 });
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await producer.close();
    }
  });

  it('replaces jobs that finished (completed or failed) while their rows still wait', async () => {
    const prefix = uniquePrefix('requeue');
    const producer = new Producer(JOBS.signals, { connection: conn, prefix }, { jobOptions: { attempts: 1 } });
    const queue = new Queue(JOBS.signals.queue, { connection: conn, prefix });
    const eventsConn = createRedis(testRedisUrl(), 'worker');
    const workerConn = createRedis(testRedisUrl(), 'worker');
    const events = new QueueEvents(JOBS.signals.queue, { connection: eventsConn, prefix });
    const ok = newJob();
    const bad = newJob();
    let runs = 0;
    const worker = new Worker(
      JOBS.signals.queue,
      async (job) => {
        runs++;
        if ((job.data as SignalJob).signalId === bad.signalId && runs <= 2) throw new Error('boom');
      },
      { connection: workerConn, prefix },
    );
    try {
      await events.waitUntilReady();
      const settled = (n: number) =>
        new Promise<void>((resolve) => {
          let count = 0;
          const bump = () => ++count === n && resolve();
          events.on('completed', bump);
          events.on('failed', bump);
        });
      let both = settled(2);
      await producer.addBulk([ok, bad]);
      await both;
      expect(await queue.getJobState(ok.signalId)).toBe('completed');
      expect(await queue.getJobState(bad.signalId)).toBe('failed');

      await producer.addBulk([ok, bad]); // a plain add is ignored for ids BullMQ still holds
      await new Promise((r) => setTimeout(r, 200));
      expect(runs).toBe(2);

      both = settled(2);
      await producer.requeue([ok, bad]);
      await both;
      expect(runs).toBe(4);
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
      await producer.close();
      workerConn.disconnect();
      eventsConn.disconnect();
    }
  });
});
