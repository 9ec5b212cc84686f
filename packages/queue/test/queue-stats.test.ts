import { Queue } from 'bullmq';
import { JOBS } from '@utm/contracts';
import { testRedisUrl, uniquePrefix } from '@utm/testkit';
import { createRedis, QueueStats, waitForRedis } from '../src';

describe('queue depth and age of the oldest waiting job, through BullMQ', () => {
  const prefix = uniquePrefix('stats');
  const conn = createRedis(testRedisUrl(), 'client');
  const signals = new Queue(JOBS.signals.queue, { connection: conn, prefix });
  const orders = new Queue(JOBS.orders.queue, { connection: conn, prefix });

  afterAll(async () => {
    for (const q of [signals, orders]) {
      await q.obliterate({ force: true });
      await q.close();
    }
    conn.disconnect();
  });

  it('counts jobs by state per queue and dates the oldest waiting one', async () => {
    await waitForRedis(conn);
    let now = Date.now();
    const stats = new QueueStats({ connection: conn, prefix }, [JOBS.signals.queue, JOBS.orders.queue], () => now);
    const empty = await stats.snapshot();
    expect(empty).toEqual([
      {
        queue: 'signals',
        counts: { waiting: 0, prioritized: 0, active: 0, delayed: 0, 'waiting-children': 0, failed: 0 },
        oldestWaitingAgeSeconds: 0,
      },
      {
        queue: 'orders',
        counts: { waiting: 0, prioritized: 0, active: 0, delayed: 0, 'waiting-children': 0, failed: 0 },
        oldestWaitingAgeSeconds: 0,
      },
    ]);

    const first = await signals.add('signal', { n: 1 });
    await new Promise((r) => setTimeout(r, 30));
    await signals.add('signal', { n: 2 });
    await signals.add('signal', { n: 3 }, { delay: 60000 });
    await orders.add('order', { n: 4 });
    now = (first.timestamp ?? 0) + 90000;
    const [s, o] = await stats.snapshot();
    expect(s?.counts).toMatchObject({ waiting: 2, delayed: 1, active: 0, failed: 0 });
    // The oldest of the two waiting jobs, not the newest.
    expect(s?.oldestWaitingAgeSeconds).toBe(90);
    expect(o?.counts.waiting).toBe(1);
    await stats.close();
  });
});
