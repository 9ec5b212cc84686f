import { JOBS } from '@utm/contracts';
import { isolatedDatabase, type IsolatedDatabase } from '@utm/testkit';
import { Harness, symbolFor } from './support/harness';
import { holdAccountLock, until } from './support/waits';

describe('processor reliability', () => {
  const h = new Harness({ jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 200 } } });
  beforeAll(() => h.start());
  afterEach(() => h.stopProcessors());
  afterAll(() => h.stop());

  it('a redelivered job changes nothing', async () => {
    h.processor();
    const f = await h.fixture();
    const symbol = symbolFor('redo');
    const id = await h.send(f, { symbol, action: 'openLong', quantity: 3, price: 10 });
    const before = (await h.settled([id])).get(id);
    expect(before?.orders).toHaveLength(1);
    // Deliver the very same job again, twice (as a stalled job or a sweep would).
    await h.signalsQueue.add(JOBS.signals.name, { signalId: id, accountId: f.accountId }, { jobId: `${id}-again-1` });
    await h.signalsQueue.add(JOBS.signals.name, { signalId: id, accountId: f.accountId }, { jobId: `${id}-again-2` });
    await until(async () => ((await h.signalsQueue.getJobCounts('completed')).completed ?? 0) >= 3);
    const after = (await h.settled([id])).get(id);
    expect(after?.orders.map((o) => o.id)).toEqual(before?.orders.map((o) => o.id));
    expect(after?.events.map((e) => e.id)).toEqual(before?.events.map((e) => e.id));
    expect(after?.updatedAt.getTime()).toBe(before?.updatedAt.getTime());
    expect(await h.ordersQueue.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('retries a transient database error (a lock held too long) and then succeeds', async () => {
    h.processor({ lockTimeoutMs: 150 });
    const f = await h.fixture();
    const lock = await holdAccountLock(f.accountId);
    let id: string;
    try {
      id = await h.send(f, { symbol: symbolFor('lock'), action: 'openLong', quantity: 1, price: 10 });
      await until(async () => ((await h.signalsQueue.getJob(id))?.attemptsMade ?? 0) >= 1);
    } finally {
      await lock.release();
    }
    const signal = (await h.settled([id])).get(id);
    expect(signal?.status).toBe('PROCESSING');
    expect(signal?.orders).toHaveLength(1);
  });

  it('after the last attempt the signal is FAILED with the reason', async () => {
    h.processor({ lockTimeoutMs: 100 });
    const f = await h.fixture();
    const lock = await holdAccountLock(f.accountId);
    try {
      const id = await h.send(f, { symbol: symbolFor('fail'), action: 'openLong', quantity: 1, price: 10 });
      const signal = (await h.settled([id])).get(id);
      expect(signal).toMatchObject({ status: 'FAILED', errorCode: 'RETRIES_EXHAUSTED' });
      expect(signal?.errorMessage).toBe(
        'retries exhausted after 3 attempt(s): canceling statement due to lock timeout (SQLSTATE 55P03)',
      );
      expect(signal?.events.map((e) => e.type)).toEqual(['RECEIVED', 'FAILED']);
    } finally {
      await lock.release();
    }
  });

  it('on close, finishes the job in hand and takes no new one', async () => {
    const p = h.processor({ lockTimeoutMs: 10000, concurrency: 1 });
    const f = await h.fixture();
    const g = await h.fixture();
    const lock = await holdAccountLock(f.accountId);
    const started = (async () => {
      const first = await h.send(f, { symbol: symbolFor('drain'), action: 'openLong', quantity: 1, price: 10 });
      await until(async () => (await h.signalsQueue.getJobState(first)) === 'active');
      const closing = p.close();
      const second = await h.send(g, { symbol: symbolFor('late'), action: 'openLong', quantity: 1, price: 10 });
      await new Promise((r) => setTimeout(r, 300));
      return { first, second, closing };
    })();
    const { first, second, closing } = await started.finally(() => lock.release());
    await closing;
    expect((await h.db.prisma.signal.findUniqueOrThrow({ where: { id: first } })).status).toBe('PROCESSING');
    expect(p.worker.isRunning()).toBe(false);
    // Taken by no one while this replica was closing...
    expect((await h.db.prisma.signal.findUniqueOrThrow({ where: { id: second } })).status).toBe('PENDING');
    // ...and by the next replica to start.
    h.processor();
    await h.settled([second]);
  });
});

describe('the orders outbox', () => {
  // The sweeper re-enqueues every NEW order of its database: a database of its own.
  let database: IsolatedDatabase;
  let h: Harness;
  beforeAll(async () => {
    database = await isolatedDatabase('orders_outbox');
    h = await new Harness({ databaseUrl: database.url }).start();
  });
  afterAll(async () => {
    await h.stop();
    await database.drop();
  });

  it('re-enqueues an order whose job went missing', async () => {
    const p = h.processor({ sweepGraceMs: 0 });
    const f = await h.fixture();
    const id = await h.send(f, { symbol: symbolFor('sweep'), action: 'openLong', quantity: 2, price: 10 });
    const [order] = (await h.settled([id])).get(id)?.orders ?? [];
    await until(async () => (await h.ordersQueue.getJob(order?.id ?? '')) !== undefined);
    await h.ordersQueue.remove(order?.id ?? ''); // lost between commit and enqueue
    expect(await h.ordersQueue.getJob(order?.id ?? '')).toBeUndefined();
    await p.sweeper.sweepOnce();
    expect((await h.ordersQueue.getJob(order?.id ?? ''))?.data).toEqual({
      orderId: order?.id,
      accountId: f.accountId,
      signalId: id,
    });
  });
});
