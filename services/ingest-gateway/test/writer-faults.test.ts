import { randomUUID } from 'node:crypto';
import { JOBS, type IngestRequest, type SignalJob } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createLogger } from '@utm/logger';
import { createRedis, Producer, waitForRedis } from '@utm/queue';
import { createFixture, testDatabaseUrl, testRedisUrl, uniquePrefix } from '@utm/testkit';
import { requestHash } from '../src/domain/request-hash';
import { SignalWriter, type NewSignal } from '../src/repositories/signal-writer';

/** The real pool, except that one named statement fails once (Postgres dropping at that instant). */
function failingOnce(db: Db, statement: string): Db {
  let failed = false;
  const query = ((config: unknown, ...rest: unknown[]) => {
    if (!failed && typeof config === 'object' && config !== null && (config as { name?: string }).name === statement) {
      failed = true;
      return Promise.reject(Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }));
    }
    return (db.pool.query as (...a: unknown[]) => unknown)(config, ...rest);
  }) as Db['pool']['query'];
  return { ...db, pool: Object.assign(Object.create(db.pool) as Db['pool'], { query }) };
}

describe('signal writer faults', () => {
  const db = createDb({ url: testDatabaseUrl(), poolMax: 3 });
  const conn = createRedis(testRedisUrl(), 'producer');
  const producer = new Producer<SignalJob>(JOBS.signals, { connection: conn, prefix: uniquePrefix('wf') });
  afterAll(async () => {
    await producer.queue.obliterate({ force: true });
    await producer.close();
    conn.disconnect();
    await db.close();
  });

  it('a failure after the INSERT fails only the requests that need the lookup, never a stored signal', async () => {
    await waitForRedis(conn);
    const f = await createFixture(db.prisma);
    const signal = (request: IngestRequest, key: string | null): NewSignal => ({
      id: randomUUID(),
      userId: f.userId,
      accountId: f.accountId,
      request,
      idempotencyKey: key,
      requestHash: key ? requestHash(request) : null,
    });
    const body: IngestRequest = { symbol: 'AAPL', action: 'openLong', accountId: f.accountId, quantity: 1 };
    const quiet = createLogger({ service: 'test', level: 'error' });
    await new SignalWriter(db, producer, quiet).write(signal(body, 'k1'));

    const writer = new SignalWriter(failingOnce(db, 'gateway-find-idempotent'), producer, quiet);
    const fresh = signal({ ...body, quantity: 2 }, null);
    const [a, b] = await Promise.allSettled([writer.write(fresh), writer.write(signal(body, 'k1'))]); // one batch
    expect(a).toEqual({ status: 'fulfilled', value: { kind: 'created', signalId: fresh.id } });
    expect(b.status).toBe('rejected');
    expect(await db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(2);
    expect(await producer.queue.getJob(fresh.id)).toBeDefined();
  });
});
