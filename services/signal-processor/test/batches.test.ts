import { randomUUID } from 'node:crypto';
import type { IngestRequest } from '@utm/contracts';
import type { Fixture } from '@utm/testkit';
import { processAccounts } from '../src/repositories/account-processor';
import { Harness, symbolFor } from './support/harness';
import { holdAccountLock, until } from './support/waits';

describe('signals decided in batches', () => {
  const h = new Harness({ jobOptions: { attempts: 3, backoff: { type: 'fixed', delay: 200 } } });
  beforeAll(() => h.start());
  afterEach(() => h.stopProcessors());
  afterAll(() => h.stop());

  /** Accepted signals as the gateway leaves them (PENDING rows, in this order), without their jobs. */
  async function pending(f: Fixture, requests: Omit<IngestRequest, 'accountId'>[]): Promise<string[]> {
    const ids: string[] = [];
    for (const r of requests) {
      const id = randomUUID();
      await h.db.pool.query(
        'INSERT INTO signals (id, user_id, account_id, symbol, action, request) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, f.userId, f.accountId, r.symbol, r.action, JSON.stringify({ ...r, accountId: f.accountId })],
      );
      ids.push(id);
    }
    return ids;
  }

  it('decides the pending signals of several accounts in one transaction, each account in its own order', async () => {
    // Two symbols: a second signal in the same symbol would wait for the first one's order (see below).
    const [symbol, other] = [symbolFor('many'), symbolFor('many')];
    const fixtures = [await h.fixture(), await h.fixture(), await h.fixture()];
    const byAccount = await Promise.all(
      fixtures.map((f) =>
        pending(f, [
          { symbol, action: 'openLong', quantity: 2, price: 10 },
          { symbol: other, action: 'openLong', quantity: 3, price: 10 },
        ]),
      ),
    );
    // One job per account, about its last signal: the first signal of each is taken along.
    const result = await processAccounts(
      h.db,
      fixtures.map((f, i) => ({ accountId: f.accountId, signalId: byAccount[i]?.[1] ?? '' })),
      5000,
      true,
    );
    expect(result.processed).toBe(6);
    expect([...result.done.values()]).toEqual([true, true, true]);
    expect(result.skipped.size).toBe(0);
    expect(result.orderJobs).toHaveLength(6);
    const signals = await h.settled(byAccount.flat());
    for (const ids of byAccount) {
      const [first, second] = ids.map((id) => signals.get(id));
      expect(first?.status).toBe('PROCESSING');
      expect(second?.status).toBe('PROCESSING');
      expect(first?.orders[0]?.quantity.toFixed()).toBe('2');
      expect(second?.orders[0]?.quantity.toFixed()).toBe('3');
      // acceptance order is decision order is order sequence
      expect((first?.orders[0]?.seq ?? 0n) < (second?.orders[0]?.seq ?? 0n)).toBe(true);
    }
  });

  it('a signal in the symbol of an order still to be placed waits, and every later signal of the account with it', async () => {
    const [symbol, other] = [symbolFor('wait'), symbolFor('wait')];
    const f = await h.fixture();
    const [open, close, elsewhere] = await pending(f, [
      { symbol, action: 'openLong', quantity: 4, price: 10 },
      { symbol, action: 'closeLong' },
      { symbol: other, action: 'openLong', quantity: 1, price: 10 },
    ]);
    const first = await processAccounts(h.db, [{ accountId: f.accountId, signalId: elsewhere ?? '' }], 5000);
    expect(first.processed).toBe(1);
    expect(first.deferred).toEqual([{ accountId: f.accountId, signalId: close }]);
    expect(first.done.get(elsewhere ?? '')).toBe(true); // done for now: the re-check takes it up
    const rows = await h.db.prisma.signal.findMany({
      where: { id: { in: [open ?? '', close ?? '', elsewhere ?? ''] } },
      include: { events: true, orders: true },
    });
    const get = (id?: string) => rows.find((r) => r.id === id);
    expect(get(open)?.status).toBe('PROCESSING');
    expect(get(close)?.status).toBe('PENDING');
    expect(get(elsewhere)?.status).toBe('PENDING'); // acceptance order: behind the waiting close
    const entry = get(open)?.orders[0];
    const deferred = get(close)?.events.filter((e) => e.type === 'DEFERRED') ?? [];
    expect(deferred.map((e) => [e.orderId, e.message])).toEqual([
      [
        entry?.id,
        `Waiting for earlier orders of the account to be worked before deciding: ENTRY BUY 4 ${symbol} is still to be placed`,
      ],
    ]);

    // Looked at again while still waiting: no second DEFERRED event.
    await processAccounts(h.db, [{ accountId: f.accountId, signalId: close ?? '' }], 5000);
    expect(await h.db.prisma.signalEvent.count({ where: { signalId: close ?? '', type: 'DEFERRED' } })).toBe(1);

    // The venue accepted the entry (a limit resting unfilled): the close is decided, and cancels it.
    await h.db.pool.query("UPDATE orders SET status = 'ACCEPTED' WHERE id = $1", [entry?.id]);
    const second = await processAccounts(h.db, [{ accountId: f.accountId, signalId: close ?? '' }], 5000);
    expect(second.processed).toBe(2);
    expect(second.deferred).toEqual([]);
    const after = await h.settled([close ?? '', elsewhere ?? '']);
    expect(after.get(close ?? '')?.events.find((e) => e.type === 'CANCEL_REQUESTED')?.orderId).toBe(entry?.id);
    expect(after.get(elsewhere ?? '')?.status).toBe('PROCESSING');
  });

  it('skips an account another transaction holds, and decides it once the lock is free', async () => {
    const symbol = symbolFor('skip');
    const [a, b] = [await h.fixture(), await h.fixture()];
    const [sa] = await pending(a, [{ symbol, action: 'openLong', quantity: 1, price: 10 }]);
    const [sb] = await pending(b, [{ symbol, action: 'openLong', quantity: 1, price: 10 }]);
    const held = await holdAccountLock(b.accountId);
    let first;
    try {
      first = await processAccounts(
        h.db,
        [
          { accountId: a.accountId, signalId: sa ?? '' },
          { accountId: b.accountId, signalId: sb ?? '' },
        ],
        5000,
        true,
      );
    } finally {
      await held.release();
    }
    expect([...first.skipped]).toEqual([b.accountId]);
    expect(first.done.get(sa ?? '')).toBe(true);
    expect(first.done.get(sb ?? '')).toBe(false);
    expect((await h.db.prisma.signal.findUniqueOrThrow({ where: { id: sb ?? '' } })).status).toBe('PENDING');
    const second = await processAccounts(h.db, [{ accountId: b.accountId, signalId: sb ?? '' }], 5000);
    expect(second.done.get(sb ?? '')).toBe(true);
    expect((await h.settled([sa ?? '', sb ?? ''])).get(sb ?? '')?.status).toBe('PROCESSING');
  });

  it('in a replica, one account held too long fails only its own jobs; the others of the batch go through', async () => {
    const symbol = symbolFor('iso');
    const [a, b, c] = [await h.fixture(), await h.fixture(), await h.fixture()];
    const held = await holdAccountLock(b.accountId);
    let ids: string[];
    try {
      h.processor({ lockTimeoutMs: 150 });
      ids = await Promise.all([a, b, c].map((f) => h.send(f, { symbol, action: 'openLong', quantity: 1, price: 10 })));
      const [ia, ib, ic] = ids;
      // a and c are decided while b waits; b's job fails (lock timeout) and is retried.
      await until(async () => ((await h.signalsQueue.getJob(ib ?? ''))?.attemptsMade ?? 0) >= 1);
      const now = await h.db.prisma.signal.findMany({ where: { id: { in: ids } } });
      expect(now.find((s) => s.id === ia)?.status).toBe('PROCESSING');
      expect(now.find((s) => s.id === ic)?.status).toBe('PROCESSING');
      expect(now.find((s) => s.id === ib)?.status).toBe('PENDING');
    } finally {
      await held.release();
    }
    const settled = await h.settled(ids);
    expect([...settled.values()].map((s) => s.status)).toEqual(['PROCESSING', 'PROCESSING', 'PROCESSING']);
  });
});
