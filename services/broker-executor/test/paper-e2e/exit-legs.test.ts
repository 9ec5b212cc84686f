import { Stack } from '../support/stack';

const legsOf = (s: Stack, signalId: string) =>
  s.db.prisma.order.findMany({
    where: { signalId, role: { in: ['STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'] } },
    orderBy: { seq: 'asc' },
  });

describe('exit legs on the paper engine', () => {
  const s = new Stack();
  beforeAll(() => s.start());
  afterAll(() => s.stop());

  it('the stop is hit: it fills at the quote and cancels the target', async () => {
    const f = await s.fixture();
    await s.quote('STOPX', '100');
    const id = await s.send(f, {
      symbol: 'STOPX',
      action: 'openLong',
      quantity: 10,
      exitRules: { stopLoss: { type: 'PRICE', value: 95 }, takeProfit: { type: 'PERCENT', value: 5 } },
    });
    await s.until(id, ['FILLED']);
    await s.waitFor(
      'legs',
      () => legsOf(s, id),
      (l) => l.length === 2,
    );
    await s.quote('STOPX', '94.2'); // gaps through the stop
    const legs = await s.waitFor(
      'stop fills',
      () => legsOf(s, id),
      (l) => l.every((x) => x.status !== 'ACCEPTED'),
    );
    expect(legs.map((l) => [l.role, l.status, l.avgFillPrice?.toFixed() ?? null])).toEqual([
      ['STOP_LOSS', 'FILLED', '94.2'],
      ['TAKE_PROFIT', 'CANCELLED', null],
    ]);
    expect(await s.account(f.accountId)).toEqual({ cash: '99942', positions: {} });
  });

  it('a trailing stop follows the best price, then fills when the price falls back to it', async () => {
    const f = await s.fixture();
    await s.quote('TRAIL', '50');
    const id = await s.send(f, {
      symbol: 'TRAIL',
      action: 'openLong',
      quantity: 4,
      exitRules: { trailingStop: { type: 'PERCENT', value: 10 } },
    });
    await s.until(id, ['FILLED']);
    const [leg] = await s.waitFor(
      'trailing leg',
      () => legsOf(s, id),
      (l) => l.length === 1,
    );
    expect([leg?.type, leg?.stopPrice?.toFixed(), leg?.trailReference?.toFixed()]).toEqual([
      'TRAILING_STOP',
      '45',
      '50',
    ]);
    await s.quote('TRAIL', '60'); // new high: stop to 54
    await s.waitFor(
      'stop moves up',
      () => legsOf(s, id),
      (l) => l[0]?.stopPrice?.toFixed() === '54',
    );
    await s.quote('TRAIL', '56'); // above the stop: nothing; the stop never loosens
    await s.quote('TRAIL', '53.9'); // below 54: fills
    const [done] = await s.waitFor(
      'trailing fill',
      () => legsOf(s, id),
      (l) => l[0]?.status === 'FILLED',
    );
    expect([done?.avgFillPrice?.toFixed(), done?.trailReference?.toFixed(), done?.stopPrice?.toFixed()]).toEqual([
      '53.9',
      '60',
      '54',
    ]);
    expect(await s.account(f.accountId)).toEqual({ cash: '100015.6', positions: {} });
  });

  it("a close cancels the position's legs and closes what is held", async () => {
    const f = await s.fixture();
    await s.quote('CLOSEX', '20');
    const open = await s.send(f, {
      symbol: 'CLOSEX',
      action: 'openLong',
      quantity: 7,
      exitRules: { stopLoss: { type: 'PERCENT', value: 5 }, takeProfit: { type: 'PERCENT', value: 5 } },
    });
    await s.until(open, ['FILLED']);
    await s.waitFor(
      'legs',
      () => legsOf(s, open),
      (l) => l.length === 2,
    );
    await s.quote('CLOSEX', '20.5');
    const close = await s.send(f, { symbol: 'CLOSEX', action: 'closeLong' });
    const closed = await s.until(close, ['FILLED']);
    expect(closed.orders.map((o) => [o.role, o.side, o.quantity.toFixed(), o.status])).toEqual([
      ['CLOSE', 'SELL', '7', 'FILLED'],
    ]);
    expect((await legsOf(s, open)).map((l) => l.status)).toEqual(['CANCELLED', 'CANCELLED']);
    expect(await s.account(f.accountId)).toEqual({ cash: '100003.5', positions: {} });
  });
});
