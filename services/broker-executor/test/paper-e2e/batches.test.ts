import { Client } from 'pg';
import { createLogger } from '@utm/logger';
import { PaperVenue } from '../../src/venues/paper/paper-venue';
import { Stack } from '../support/stack';

const quiet = createLogger({ service: 'test', level: 'error' });
const CLOCK = { timeZone: 'America/New_York', close: '16:00' };

describe('paper accounts worked in batches', () => {
  // No executor running: orders wait NEW until the test works them.
  const s = new Stack({ executor: false });
  beforeAll(() => s.start());
  afterAll(() => s.stop());

  async function newOrders(n: number, symbol: string) {
    const fixtures = await Promise.all(Array.from({ length: n }, () => s.fixture()));
    const ids = await Promise.all(fixtures.map((f) => s.send(f, { symbol, action: 'openLong', quantity: 2 })));
    for (const id of ids)
      await s.until(id, ['PROCESSING'], async () => (await s.signal(id)).orders[0]?.status === 'NEW');
    return { fixtures, ids };
  }

  it('places the NEW orders of several accounts in one transaction', async () => {
    await s.quote('BATCHA', '25');
    const { fixtures, ids } = await newOrders(3, 'BATCHA');
    const reached: string[] = [];
    const transactions: number[] = [];
    const venue = new PaperVenue(
      s.db.pool,
      CLOCK,
      () => new Date(),
      quiet,
      (m) => reached.push(m.kind),
      { lockTimeoutMs: 5000, onHandled: (_op, seconds) => transactions.push(seconds) },
    );
    const handled = await venue.work(fixtures.map((f) => f.accountId));
    expect(handled).toBe(3);
    // One round: every order was told the same round's duration.
    expect(new Set(transactions).size).toBe(1);
    expect(reached.sort()).toEqual(['accepted', 'accepted', 'accepted', 'filled', 'filled', 'filled']);
    for (const [i, id] of ids.entries()) {
      const signal = await s.signal(id);
      expect(signal.status).toBe('FILLED');
      expect(signal.orders[0]?.fills.map((f) => f.price.toFixed())).toEqual(['25']);
      expect(await s.account(fixtures[i]?.accountId ?? '')).toEqual({
        cash: '99950',
        positions: { BATCHA: { quantity: '2', avgPrice: '25' } },
      });
    }
    // Nothing left: a second pass does nothing.
    expect(await venue.work(fixtures.map((f) => f.accountId))).toBe(0);
  });

  it('works around an account another transaction holds, then works that one once it is free', async () => {
    await s.quote('BATCHB', '10');
    const { fixtures, ids } = await newOrders(3, 'BATCHB');
    const held = fixtures[1]?.accountId ?? '';
    const other = new Client({ connectionString: s.databaseUrl });
    await other.connect();
    await other.query('BEGIN');
    await other.query('SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE', [held]);
    const venue = new PaperVenue(s.db.pool, CLOCK, () => new Date(), quiet, undefined, { lockTimeoutMs: 5000 });
    const working = venue.work(fixtures.map((f) => f.accountId));
    // The two free accounts are filled while the third waits for its lock.
    await s.until(ids[0] ?? '', ['FILLED']);
    await s.until(ids[2] ?? '', ['FILLED']);
    expect((await s.signal(ids[1] ?? '')).status).toBe('PROCESSING');
    await other.query('COMMIT');
    await other.end();
    expect(await working).toBe(3);
    expect((await s.signal(ids[1] ?? '')).status).toBe('FILLED');
  });
});
