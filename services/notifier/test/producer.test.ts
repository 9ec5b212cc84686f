import type { PoolClient } from 'pg';
import { Subjects } from '@utm/read-model';
import { Harness } from './support/harness';

/**
 * The producer: an event exists if and only if the transaction that recorded its fact
 * committed, once per endpoint, whatever the commit order of ids. Real Postgres; the producer
 * runs on demand (produce: false, produceNow()).
 */
let h: Harness;
beforeAll(async () => {
  h = await new Harness().start({ produce: false, concurrency: 1 });
  // No worker attempts in this file: the deliveries are only looked at.
  await h.notifier.worker.pause();
});
afterAll(() => h.close());

/**
 * Produces until `ok` holds: the producer reads only below the oldest transaction running on the
 * whole server, and other tests' transactions (any database) may hold it back for a moment.
 */
async function produceUntil<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  return h.until(what, async () => (await h.notifier.produceNow(), get()), ok);
}

const event = (c: PoolClient, signalId: string, type: string) =>
  c.query('INSERT INTO signal_events (signal_id, type, message) VALUES ($1, $2, $3)', [
    signalId,
    type,
    `Signal ${type}`,
  ]);

async function tx(fn: (c: PoolClient) => Promise<unknown>): Promise<PoolClient> {
  const c = await h.db.pool.connect();
  await c.query('BEGIN');
  await fn(c);
  return c;
}
const end = async (c: PoolClient, how: 'COMMIT' | 'ROLLBACK') => {
  await c.query(how);
  c.release();
};

it('a committed fact becomes one delivery per endpoint that chose its event; data is the read API’s object', async () => {
  const f = await h.fixture();
  const a = await h.endpoint(f.userId, 'http://127.0.0.1:1/a', ['signal.filled', 'order.filled']);
  const b = await h.endpoint(f.userId, 'http://127.0.0.1:1/b', ['signal.rejected']);
  const s = await h.signal(f);
  await end(await tx((c) => event(c, s, 'FILLED')), 'COMMIT');
  const [da] = await produceUntil(
    'a delivery',
    () => h.deliveriesOf(a.id),
    (ds) => ds.length === 1,
  );
  expect(await h.deliveriesOf(b.id)).toEqual([]);
  expect(da).toMatchObject({ type: 'signal.filled', status: 'PENDING', source: 'signal_events' });
  expect(da?.eventId).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
  expect(da?.payload).toEqual({
    type: 'signal.filled',
    timestamp: expect.any(String),
    data: JSON.parse(JSON.stringify(await new Subjects(h.db).signal(s))),
    message: 'Signal FILLED',
  });
  // Produced again: nothing new.
  expect(await h.notifier.produceNow()).toBe(0);
  expect(await h.deliveriesOf(a.id)).toHaveLength(1);
});

it('a rolled-back fact never becomes an event; a fact whose id commits late is not skipped', async () => {
  const f = await h.fixture();
  const w = await h.endpoint(f.userId, 'http://127.0.0.1:1/w', ['signal.filled', 'signal.rejected', 'signal.failed']);
  const [s1, s2, s3] = [await h.signal(f), await h.signal(f), await h.signal(f)];
  const rolledBack = await tx((c) => event(c, s1, 'FAILED'));
  const early = await tx((c) => event(c, s2, 'REJECTED')); // takes its id first...
  const late = await tx((c) => event(c, s3, 'FILLED'));
  await end(late, 'COMMIT'); // ...a higher id commits first
  await h.notifier.produceNow();
  // `early` still runs: nothing at or above its transaction may be read yet.
  expect((await h.deliveriesOf(w.id)).map((d) => d.type)).toEqual([]);
  await end(rolledBack, 'ROLLBACK');
  await end(early, 'COMMIT');
  const got = await produceUntil(
    'both',
    () => h.deliveriesOf(w.id),
    (ds) => ds.length >= 2,
  );
  expect(got.map((d) => d.type).sort()).toEqual(['signal.filled', 'signal.rejected']);
});

it('an endpoint gets no fact older than itself, and none of another user', async () => {
  const f = await h.fixture();
  const other = await h.fixture();
  const control = await h.endpoint(f.userId, 'http://127.0.0.1:1/control', ['signal.filled']);
  const s = await h.signal(f);
  await end(await tx((c) => event(c, s, 'FILLED')), 'COMMIT');
  await new Promise((r) => setTimeout(r, 5));
  const late = await h.endpoint(f.userId, 'http://127.0.0.1:1/late', ['signal.filled']);
  const theirs = await h.endpoint(other.userId, 'http://127.0.0.1:1/theirs', ['signal.filled']);
  await produceUntil(
    'the fact produced',
    () => h.deliveriesOf(control.id),
    (ds) => ds.length === 1,
  );
  expect(await h.deliveriesOf(late.id)).toEqual([]);
  expect(await h.deliveriesOf(theirs.id)).toEqual([]);
});

it('every fill (partial, exit leg), drift and halt is its event; other recorded events are not', async () => {
  const f = await h.fixture();
  const w = await h.endpoint(f.userId, 'http://127.0.0.1:1/all', [
    'order.filled',
    'broker.reconciled',
    'account.halted',
    'signal.cancelled',
    'signal.expired',
  ]);
  const s = await h.signal(f);
  const orderId = (
    await h.db.prisma.order.create({
      data: {
        id: (await import('node:crypto')).randomUUID(),
        signalId: s,
        accountId: f.accountId,
        role: 'TAKE_PROFIT',
        symbol: 'AAPL',
        side: 'SELL',
        type: 'LIMIT',
        quantity: '10',
        limitPrice: '156',
        timeInForce: 'GTC',
        status: 'PARTIALLY_FILLED',
        filledQuantity: '4',
        avgFillPrice: '156',
      },
    })
  ).id;
  await end(
    await tx(async (c) => {
      for (const type of ['ORDER_PARTIALLY_FILLED', 'ORDER_FILLED', 'RECONCILED', 'ORDER_CREATED', 'NOTE'])
        await c.query('INSERT INTO signal_events (signal_id, order_id, type, message) VALUES ($1, $2, $3, $3)', [
          s,
          orderId,
          type,
        ]);
      await event(c, s, 'CANCELLED');
      await event(c, s, 'EXPIRED');
      await event(c, s, 'PROCESSING');
    }),
    'COMMIT',
  );
  const { setTradingState } = await import('@utm/db');
  await setTradingState(h.db.prisma, f.accountId, 'HALTED', undefined, 'cli');
  await setTradingState(h.db.prisma, f.accountId, 'ACTIVE', undefined, 'cli');
  const got = await produceUntil(
    'six events',
    () => h.deliveriesOf(w.id),
    (ds) => ds.length >= 6,
  );
  expect(got.map((d) => d.type).sort()).toEqual([
    'account.halted',
    'broker.reconciled',
    'order.filled',
    'order.filled',
    'signal.cancelled',
    'signal.expired',
  ]);
  const halt = got.find((d) => d.type === 'account.halted');
  expect(halt?.payload).toMatchObject({
    data: { accountId: f.accountId, positions: [] },
    message: 'Trading state ACTIVE → HALTED (by cli)',
  });
  const fill = got.find((d) => d.type === 'order.filled');
  expect(fill?.payload).toMatchObject({ data: { orderId, role: 'TAKE_PROFIT', filledQuantity: '4' } });
});

it('two producers at once write each delivery once', async () => {
  const f = await h.fixture();
  const w = await h.endpoint(f.userId, 'http://127.0.0.1:1/race', ['signal.filled']);
  const signals = await Promise.all(Array.from({ length: 40 }, () => h.signal(f)));
  await Promise.all(signals.map(async (s) => end(await tx((c) => event(c, s, 'FILLED')), 'COMMIT')));
  await Promise.all([h.notifier.produceNow(), h.notifier.produceNow(), h.notifier.produceNow()]);
  await produceUntil(
    '40',
    () => h.deliveriesOf(w.id),
    (ds) => ds.length >= 40,
  );
  await Promise.all([h.notifier.produceNow(), h.notifier.produceNow(), h.notifier.produceNow()]);
  const got = await h.deliveriesOf(w.id);
  expect(got).toHaveLength(40);
  expect(new Set(got.map((d) => d.factId?.toString())).size).toBe(40);
});
