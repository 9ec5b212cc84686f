import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { run } from '@utm/cli';
import { JOBS, type SignalJob } from '@utm/contracts';
import { createConsumer, createRedis, UnrecoverableError, waitForRedis } from '@utm/queue';
import { testDatabaseUrl, testRedisUrl } from '@utm/testkit';
import { Harness, symbolFor } from './support/harness';
import { until } from './support/waits';

/**
 * The two ways an operator re-drives work (README "Where to look when a signal is stuck"):
 * Bull Board's retry re-runs a failed job as it is; `utm signal retry` turns a FAILED signal
 * back into PENDING and queues it again. Jobs carry ids only and the processor re-reads
 * Postgres, so a board retry acts on a signal that is still PENDING and changes nothing for
 * one already FAILED.
 */
const TOKEN = randomBytes(32).toString('hex');
const auth = { authorization: `Bearer ${TOKEN}` };

describe('re-driving failed work', () => {
  const h = new Harness({ jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 200 } }, adminToken: TOKEN });
  beforeAll(() => h.start());
  afterEach(() => h.stopProcessors());
  afterAll(() => h.stop());

  const boardRetry = (jobId: string) =>
    fetch(`${h.url}/admin/queues/api/queues/${JOBS.signals.queue}/${jobId}/retry`, { method: 'PUT', headers: auth });

  it('a job that failed while its signal stayed PENDING: retried from the board, the processor decides the signal', async () => {
    const f = await h.fixture();
    const id = await h.send(f, { symbol: symbolFor('board'), action: 'openLong', quantity: 2, price: 10 });
    // The job fails for good before any decision (as when Postgres stayed away through every attempt).
    const conn = createRedis(testRedisUrl(), 'worker');
    await waitForRedis(conn);
    const failing = createConsumer<SignalJob>(
      JOBS.signals,
      async () => {
        throw new UnrecoverableError('Postgres was away');
      },
      { connection: conn, prefix: h.prefix },
    );
    await until(async () => (await h.signalsQueue.getJobState(id)) === 'failed');
    await failing.close();
    conn.disconnect();
    expect((await h.db.prisma.signal.findUniqueOrThrow({ where: { id } })).status).toBe('PENDING');

    h.processor();
    expect((await boardRetry(id)).status).toBe(204);
    const signal = (await h.settled([id])).get(id);
    expect(signal?.status).toBe('PROCESSING');
    expect(signal?.orders.map((o) => [o.role, o.quantity.toString()])).toEqual([['ENTRY', '2']]);
    await until(async () => (await h.signalsQueue.getJobState(id)) === 'completed');
  });

  it("a FAILED signal: the board's retry changes nothing; `utm signal retry` re-drives it to a decision", async () => {
    h.processor({ lockTimeoutMs: 100 });
    const f = await h.fixture();
    // Another transaction holds the account's lock through every attempt: RETRIES_EXHAUSTED.
    const lock = new Client({ connectionString: testDatabaseUrl() });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE', [f.accountId]);
    let id: string;
    try {
      id = await h.send(f, { symbol: symbolFor('cli'), action: 'openLong', quantity: 3, price: 10 });
      expect((await h.settled([id])).get(id)).toMatchObject({ status: 'FAILED', errorCode: 'RETRIES_EXHAUSTED' });
    } finally {
      await lock.query('COMMIT');
      await lock.end();
    }
    await until(async () => (await h.signalsQueue.getJobState(id)) === 'failed');

    expect((await boardRetry(id)).status).toBe(204);
    await until(async () => (await h.signalsQueue.getJobState(id)) === 'completed');
    const after = await h.db.prisma.signal.findUniqueOrThrow({
      where: { id },
      include: { orders: true, events: { orderBy: { id: 'asc' } } },
    });
    expect({ status: after.status, orders: after.orders.length, events: after.events.map((e) => e.type) }).toEqual({
      status: 'FAILED',
      orders: 0,
      events: ['RECEIVED', 'FAILED'],
    });

    let stdout = '';
    const code = await run(['signal', 'retry', id, '--json'], {
      out: (s) => void (stdout += s),
      err: () => undefined,
      settings: () => ({
        databaseUrl: testDatabaseUrl(),
        redisUrl: testRedisUrl(),
        encryptionKey: undefined,
        queuePrefix: h.prefix,
      }),
      db: () => h.db,
    });
    expect({ code, out: JSON.parse(stdout) as unknown }).toEqual({
      code: 0,
      out: { signalId: id, status: 'PENDING', enqueued: true },
    });
    const signal = (await h.settled([id])).get(id);
    expect(signal?.status).toBe('PROCESSING');
    expect(signal?.orders.map((o) => [o.role, o.quantity.toString()])).toEqual([['ENTRY', '3']]);
    expect(signal?.events.map((e) => e.type)).toEqual(['RECEIVED', 'FAILED', 'RETRY', 'PROCESSING', 'ORDER_CREATED']);
  });
});
