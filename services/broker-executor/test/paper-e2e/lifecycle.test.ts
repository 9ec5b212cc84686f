import { Stack } from '../support/stack';

describe('paper trading end to end: gateway → processor → executor', () => {
  const s = new Stack();
  beforeAll(() => s.start());
  afterAll(() => s.stop());

  it('a market openLong fills at the quote: order, fill, position, cash and signal FILLED', async () => {
    const f = await s.fixture({ cash: '100000' });
    await s.quote('AAPL', '150.25');
    const id = await s.send(f, { action: 'openLong', quantity: 10 });
    const signal = await s.until(id, ['FILLED']);
    const [entry] = signal.orders;
    expect(entry).toMatchObject({ role: 'ENTRY', status: 'FILLED', brokerOrderId: `paper-${entry?.id}` });
    expect(entry?.filledQuantity.toFixed()).toBe('10');
    expect(entry?.avgFillPrice?.toFixed()).toBe('150.25');
    expect(entry?.fills.map((x) => [x.quantity.toFixed(), x.price.toFixed()])).toEqual([['10', '150.25']]);
    expect(await s.account(f.accountId)).toEqual({
      cash: '98497.5',
      positions: { AAPL: { quantity: '10', avgPrice: '150.25' } },
    });
    expect(signal.events.map((e) => e.type)).toEqual([
      'RECEIVED',
      'PROCESSING',
      'ORDER_CREATED',
      'ORDER_ACCEPTED',
      'ORDER_FILLED',
      'FILLED',
    ]);
  });

  it('an entry with stop loss and take profit: legs priced from the fill; the target fills and cancels the stop', async () => {
    const f = await s.fixture({ cash: '100000' });
    await s.quote('MSFT', '400');
    const id = await s.send(f, {
      symbol: 'MSFT',
      action: 'openLong',
      quantity: 5,
      exitRules: { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'AMOUNT', value: 10 } },
    });
    await s.until(id, ['FILLED']);
    const legs = await s.waitFor(
      'legs',
      () =>
        s.db.prisma.order.findMany({
          where: { signalId: id, role: { in: ['STOP_LOSS', 'TAKE_PROFIT'] } },
          orderBy: { seq: 'asc' },
        }),
      (l) => l.length === 2,
    );
    expect(
      legs.map((l) => [
        l.role,
        l.side,
        l.type,
        l.quantity.toFixed(),
        l.stopPrice?.toFixed() ?? null,
        l.limitPrice?.toFixed() ?? null,
        l.status,
        l.timeInForce,
      ]),
    ).toEqual([
      ['STOP_LOSS', 'SELL', 'STOP', '5', '392', null, 'ACCEPTED', 'GTC'],
      ['TAKE_PROFIT', 'SELL', 'LIMIT', '5', null, '410', 'ACCEPTED', 'GTC'],
    ]);
    await s.quote('MSFT', '405'); // between: nothing happens
    await s.quote('MSFT', '410.5'); // through the target
    const after = await s.waitFor(
      'one-cancels-other',
      () =>
        s.db.prisma.order.findMany({
          where: { signalId: id, role: { in: ['STOP_LOSS', 'TAKE_PROFIT'] } },
          orderBy: { seq: 'asc' },
        }),
      (l) => l.every((x) => x.status === 'FILLED' || x.status === 'CANCELLED'),
    );
    expect(after.map((l) => [l.role, l.status])).toEqual([
      ['STOP_LOSS', 'CANCELLED'],
      ['TAKE_PROFIT', 'FILLED'],
    ]);
    expect(after[1]?.avgFillPrice?.toFixed()).toBe('410.5');
    // 100000 − 5 × 400 + 5 × 410.5
    expect(await s.account(f.accountId)).toEqual({ cash: '100052.5', positions: {} });
    expect((await s.signal(id)).status).toBe('FILLED');
  });
});
