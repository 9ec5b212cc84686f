import { randomUUID } from 'node:crypto';
import { JOBS, type SignalJob } from '@utm/contracts';
import { Batcher, createBatchConsumer, Producer, runSplittingOnFailure, waitForRedis } from '../src';
import { signalsQueueForBlock } from './support';

/** A promise with its resolve exposed, to hold a batch open while more items arrive. */
function gate(): { open: () => void; wait: Promise<void> } {
  let open: () => void = () => undefined;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

describe('Batcher: natural batching', () => {
  it('sends a lone item at once, in a batch of one', async () => {
    const batches: number[][] = [];
    const b = new Batcher<number, number>(async (items) => (batches.push(items), items.map((i) => i * 2)), {
      maxBatch: 10,
      maxInFlight: 1,
    });
    await expect(b.submit(21)).resolves.toBe(42);
    expect(batches).toEqual([[21]]);
  });

  it('groups the items that arrive while a batch runs into the next one, up to maxBatch', async () => {
    const batches: number[][] = [];
    const first = gate();
    const b = new Batcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await first.wait;
        return items;
      },
      { maxBatch: 3, maxInFlight: 1 },
    );
    const results = [b.submit(1)];
    await new Promise((r) => setImmediate(r)); // the first batch leaves with 1 alone
    for (const i of [2, 3, 4, 5, 6]) results.push(b.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(b.load).toEqual({ waiting: 5, running: 1 });
    first.open();
    await expect(Promise.all(results)).resolves.toEqual([1, 2, 3, 4, 5, 6]);
    expect(batches).toEqual([[1], [2, 3, 4], [5, 6]]);
  });

  it('runs at most maxInFlight batches at once', async () => {
    let running = 0;
    let most = 0;
    const b = new Batcher<number, number>(
      async (items) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return items;
      },
      { maxBatch: 2, maxInFlight: 2 },
    );
    await Promise.all(Array.from({ length: 20 }, (_, i) => b.submit(i)));
    expect(most).toBe(2);
  });

  it('fails only the items whose result is an Error; a thrown batch fails all of its items', async () => {
    const b = new Batcher<number, number>(async (items) => items.map((i) => (i % 2 ? new Error(`odd ${i}`) : i)), {
      maxBatch: 10,
      maxInFlight: 1,
    });
    const [even, odd] = await Promise.allSettled([b.submit(2), b.submit(3)]);
    expect(even).toEqual({ status: 'fulfilled', value: 2 });
    expect(odd).toMatchObject({ status: 'rejected', reason: { message: 'odd 3' } });

    const boom = new Batcher<number, number>(async () => Promise.reject(new Error('down')), {
      maxBatch: 10,
      maxInFlight: 1,
    });
    const all = await Promise.allSettled([boom.submit(1), boom.submit(2)]);
    expect(all.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    // and it keeps going afterwards
    const short = new Batcher<number, number>(async () => [], { maxBatch: 10, maxInFlight: 1 });
    await expect(short.submit(1)).rejects.toThrow(/returned 0 results for 1 items/);
  });

  it('refuses a batch size or in-flight count below one', () => {
    expect(() => new Batcher(async () => [], { maxBatch: 0, maxInFlight: 1 })).toThrow(/at least 1/);
  });
});

describe('runSplittingOnFailure', () => {
  const items = [
    { group: 'a', n: 1 },
    { group: 'b', n: 2 },
    { group: 'a', n: 3 },
    { group: 'c', n: 4 },
  ];

  it('runs the batch once when it succeeds', async () => {
    const runs: number[][] = [];
    const out = await runSplittingOnFailure(
      items,
      (i) => i.group,
      async (xs) => void runs.push(xs.map((x) => x.n)),
      () => undefined,
    );
    expect(out).toEqual([undefined, undefined, undefined, undefined]);
    expect(runs).toEqual([[1, 2, 3, 4]]);
  });

  it('when the batch fails, runs each group alone and fails only the failing group', async () => {
    const runs: number[][] = [];
    const splits: number[] = [];
    const out = await runSplittingOnFailure(
      items,
      (i) => i.group,
      async (xs) => {
        runs.push(xs.map((x) => x.n));
        if (xs.some((x) => x.group === 'b')) throw new Error('b is broken');
      },
      (_err, groups) => splits.push(groups),
    );
    expect(splits).toEqual([3]);
    expect(runs).toEqual([[1, 2, 3, 4], [1, 3], [2], [4]]);
    expect(out.map((e) => e?.message)).toEqual([undefined, 'b is broken', undefined, undefined]);
  });

  it('rethrows when the batch is a single group', async () => {
    await expect(
      runSplittingOnFailure(
        [{ g: 'x' }],
        (i) => i.g,
        async () => Promise.reject(new Error('x down')),
        () => undefined,
      ),
    ).rejects.toThrow('x down');
  });
});

describe('createBatchConsumer over real Redis', () => {
  const { prefix, producerConn, workerConn } = signalsQueueForBlock('batch');

  it('takes queued jobs in batches, completes each job with its own result and retries only the failed one', async () => {
    await waitForRedis(producerConn);
    const producer = new Producer(
      JOBS.signals,
      { connection: producerConn, prefix },
      { jobOptions: { attempts: 2, backoff: { type: 'fixed', delay: 50 } } },
    );
    const jobs: SignalJob[] = Array.from({ length: 12 }, () => ({ signalId: randomUUID(), accountId: randomUUID() }));
    const poison = jobs[5]?.signalId;
    await producer.addBulk(jobs);
    const sizes: number[] = [];
    const seen = new Map<string, number>();
    const { worker } = createBatchConsumer<SignalJob, void>(
      JOBS.signals,
      async (items) => {
        sizes.push(items.length);
        for (const { data } of items) seen.set(data.signalId, (seen.get(data.signalId) ?? 0) + 1);
        return items.map(({ data }) => (data.signalId === poison ? new Error('poison') : undefined));
      },
      { connection: workerConn, prefix },
      { maxBatch: 5, maxInFlight: 1 },
    );
    const deadline = Date.now() + 10000;
    while (
      Date.now() < deadline &&
      ((await producer.queue.getCompletedCount()) < 11 || (await producer.queue.getFailedCount()) < 1)
    )
      await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    expect(await producer.queue.getCompletedCount()).toBe(11);
    expect(await producer.queue.getFailedCount()).toBe(1);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5);
    // Every job handled once, the poisoned one twice (its retry), alone.
    expect([...seen].filter(([id]) => id !== poison).every(([, n]) => n === 1)).toBe(true);
    expect(seen.size).toBe(12);
    expect(seen.get(poison ?? '')).toBe(2);
    expect((await producer.queue.getJob(poison ?? ''))?.failedReason).toBe('poison');
    await producer.close();
  });
});
