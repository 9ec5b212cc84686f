import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents } from 'bullmq';
import { JOBS, type SignalJob } from '@utm/contracts';
import { createConsumer, createRedis, Producer, waitForRedis } from '../src';
import { signalsQueueForBlock } from './support';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('typed producer and consumer over real Redis', () => {
  const { prefix, producerConn, workerConn } = signalsQueueForBlock('queue');

  it('delivers a validated payload once per job id', async () => {
    await waitForRedis(producerConn);
    const producer = new Producer(JOBS.signals, { connection: producerConn, prefix });
    const seen: SignalJob[] = [];
    let resolveDone: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const worker = createConsumer(
      JOBS.signals,
      async (data) => {
        seen.push(data);
        if (seen.length === 2) resolveDone();
      },
      { connection: workerConn, prefix },
    );
    const a = { signalId: randomUUID(), accountId: randomUUID() };
    const b = { signalId: randomUUID(), accountId: randomUUID() };
    await producer.add(a);
    await producer.add(a); // same jobId while the job exists: no second job
    await producer.addBulk([b]);
    await done;
    await new Promise((r) => setTimeout(r, 200));
    expect(seen.map((s) => s.signalId).sort()).toEqual([a.signalId, b.signalId].sort());
    expect((await producer.queue.getJob(a.signalId))?.id).toBe(a.signalId);
    await worker.close();
    await producer.close();
  });

  it('refuses an invalid payload at the producer', async () => {
    const producer = new Producer(JOBS.signals, { connection: producerConn, prefix });
    await expect(producer.add({ signalId: 'nope', accountId: randomUUID() })).rejects.toThrow(/signalId/);
    await expect(
      producer.add({ signalId: randomUUID(), accountId: randomUUID(), extra: 1 } as SignalJob),
    ).rejects.toThrow(/extra/);
    await producer.close();
  });

  it('fails a malformed job at the consumer without retrying it', async () => {
    const p2 = `${prefix}-bad`;
    const raw = new Queue(JOBS.signals.queue, { connection: producerConn, prefix: p2 });
    const eventsConn = createRedis(REDIS_URL, 'worker');
    const events = new QueueEvents(JOBS.signals.queue, { connection: eventsConn, prefix: p2 });
    await events.waitUntilReady();
    let calls = 0;
    const worker = createConsumer(JOBS.signals, async () => void calls++, { connection: workerConn, prefix: p2 });
    const job = await raw.add(JOBS.signals.name, { signalId: 'x' }, { attempts: 5 });
    const failed = await new Promise<string>((resolve) =>
      events.on('failed', ({ failedReason }) => resolve(failedReason)),
    );
    expect(failed).toMatch(/invalid signals job payload/);
    expect(calls).toBe(0);
    const j = await raw.getJob(job.id ?? '');
    expect(j?.attemptsMade).toBe(1);
    await worker.close();
    await events.close();
    eventsConn.disconnect();
    await raw.obliterate({ force: true });
    await raw.close();
  });

  it('fails fast when Redis is unreachable instead of hanging', async () => {
    const dead = createRedis('redis://127.0.0.1:1', 'producer');
    const producer = new Producer(JOBS.signals, { connection: dead, prefix }, { timeoutMs: 500 });
    const started = Date.now();
    await expect(producer.add({ signalId: randomUUID(), accountId: randomUUID() })).rejects.toThrow(/timed out/);
    expect(Date.now() - started).toBeLessThan(1500);
    await producer.close().catch(() => undefined);
    dead.disconnect();
  });

  it('recovers when Redis was away at the moment the queue was created', async () => {
    // A connection that is not up yet when the producer is built, then comes up.
    const late = createRedis(REDIS_URL, 'producer');
    late.disconnect();
    const producer = new Producer(JOBS.signals, { connection: late, prefix }, { timeoutMs: 500 });
    await expect(producer.add({ signalId: randomUUID(), accountId: randomUUID() })).rejects.toThrow();
    await late.connect();
    await waitForRedis(late);
    const job = { signalId: randomUUID(), accountId: randomUUID() };
    await producer.add(job);
    expect((await producer.queue.getJob(job.signalId))?.data).toEqual(job);
    await producer.close();
    late.disconnect();
  });
});
