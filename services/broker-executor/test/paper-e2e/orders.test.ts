import { Stack } from '../support/stack';

describe('paper broker rules through the whole pipeline', () => {
  let clock = new Date('2026-11-24T15:00:00Z'); // a Tuesday, 10:00 in New York
  const s = new Stack({ now: () => clock });
  beforeAll(() => s.start());
  afterAll(() => s.stop());

  it('a LIMIT buy rests until the quote crosses it, and fills at the quote (its price or better)', async () => {
    const f = await s.fixture();
    await s.quote('LIM', '101');
    const id = await s.send(f, {
      symbol: 'LIM',
      action: 'openLong',
      quantity: 3,
      orderType: 'LIMIT',
      limitPrice: 100,
      timeInForce: 'GTC',
    });
    const submitted = await s.until(id, ['SUBMITTED']);
    expect(submitted.orders[0]?.status).toBe('ACCEPTED');
    await s.quote('LIM', '100.5');
    await new Promise((r) => setTimeout(r, 150));
    expect((await s.signal(id)).status).toBe('SUBMITTED');
    await s.quote('LIM', '99.8');
    const filled = await s.until(id, ['FILLED']);
    expect(filled.orders[0]?.avgFillPrice?.toFixed()).toBe('99.8');
  });

  it('an IOC that cannot fill at once is cancelled, and so is its signal', async () => {
    const f = await s.fixture();
    await s.quote('IOCX', '50');
    const id = await s.send(f, {
      symbol: 'IOCX',
      action: 'openLong',
      quantity: 1,
      orderType: 'LIMIT',
      limitPrice: 49,
      timeInForce: 'IOC',
    });
    const signal = await s.until(id, ['CANCELLED']);
    expect(signal.orders[0]?.status).toBe('CANCELLED');
    expect(signal.errorCode).toBe('ORDER_CANCELLED');
  });

  it('a DAY order expires at the session close of the market clock', async () => {
    const f = await s.fixture();
    await s.quote('DAYX', '10');
    const id = await s.send(f, {
      symbol: 'DAYX',
      action: 'openShort',
      quantity: 2,
      orderType: 'LIMIT',
      limitPrice: 11,
    });
    const submitted = await s.until(id, ['SUBMITTED']);
    expect(submitted.orders[0]?.expiresAt?.toISOString()).toBe('2026-11-24T21:00:00.000Z'); // 16:00 New York
    clock = new Date('2026-11-24T21:00:01Z');
    const expired = await s.until(id, ['EXPIRED']);
    expect(expired.orders[0]?.status).toBe('EXPIRED');
    clock = new Date('2026-11-24T15:00:00Z');
  });

  it('an order the account cannot pay for at the broker is REJECTED, its signal FAILED with BROKER_ERROR', async () => {
    const f = await s.fixture({ cash: '10000' });
    await s.quote('PRICEY', '100');
    // Cash changes between the processor's decision and the placement (another fill, a
    // withdrawal): the paper broker checks again, as a broker does.
    await s.ordersQueue.pause();
    try {
      const id = await s.send(f, { symbol: 'PRICEY', action: 'openLong', quantity: 50 });
      const decided = await s.until(id, ['PROCESSING'], async () => (await s.signal(id)).orders.length === 1);
      expect(decided.orders[0]?.status).toBe('NEW');
      await s.db.pool.query('UPDATE accounts SET cash = 1000 WHERE id = $1', [f.accountId]);
      await s.ordersQueue.resume();
      const failed = await s.until(id, ['FAILED']);
      expect(failed.errorCode).toBe('BROKER_ERROR');
      expect(failed.errorMessage).toMatch(
        /^Insufficient buying power: BUY 50 at 100 needs 5,000\.00, 1,000\.00 available/,
      );
      expect(failed.orders[0]).toMatchObject({ status: 'REJECTED', errorCode: 'BROKER_ERROR' });
      expect(await s.account(f.accountId)).toEqual({ cash: '1000', positions: {} });
    } finally {
      await s.ordersQueue.resume();
    }
  });
});
