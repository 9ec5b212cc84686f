import type { ErrorCode, ExitRules, IngestRequest } from '@utm/contracts';
import type { Prisma, RiskSettingsChange } from '@utm/db';
import type { Fixture } from '@utm/testkit';
import { Harness, symbolFor } from './support/harness';

type Body = Partial<IngestRequest> & Record<string, unknown>;

interface RejectCase {
  name: string;
  code: ErrorCode;
  message: RegExp;
  account?: Prisma.AccountUpdateInput;
  risk?: RiskSettingsChange;
  /** Set up quotes/positions for the case's symbol. */
  setup?: (h: Harness, f: Fixture, symbol: string) => Promise<void>;
  body: (symbol: string) => Body;
}

const cases: RejectCase[] = [
  {
    name: 'openLong on a short position',
    code: 'POSITION_CONFLICT',
    message: /openLong on a short position of 5 \w+: use reverseToLong/,
    setup: async (h, f, s) => h.position(f.accountId, s, '-5', '10'),
    body: () => ({ action: 'openLong', quantity: 1, price: 10 }),
  },
  {
    name: 'closeLong without a long position',
    code: 'NO_POSITION',
    message: /No long position in \w+ to close/,
    body: () => ({ action: 'closeLong' }),
  },
  {
    name: 'PERCENT_POSITION without a position',
    code: 'NO_POSITION',
    message: /PERCENT_POSITION needs a position/,
    body: () => ({ action: 'openShort', quantity: 50, quantityType: 'PERCENT_POSITION', price: 10 }),
  },
  {
    name: 'a market open with no quote and no price',
    code: 'NO_PRICE',
    message: /No price to size/,
    body: () => ({ action: 'openLong', quantity: 1 }),
  },
  {
    name: 'a size that rounds to zero',
    code: 'ZERO_QUANTITY',
    message: /rounds down to 0/,
    body: () => ({ action: 'openLong', quantity: 50, quantityType: 'DOLLAR_AMOUNT', price: 100 }),
  },
  {
    name: 'more than the cash',
    code: 'INSUFFICIENT_BUYING_POWER',
    message: /^Insufficient buying power: needs 15,000\.00, 9,200\.00 available$/,
    account: { cash: '9200' },
    body: () => ({ action: 'openLong', quantity: 100, orderType: 'LIMIT', limitPrice: 150 }),
  },
  {
    name: 'over the order notional limit',
    code: 'MAX_ORDER_NOTIONAL',
    message: /Order notional 1,500\.00 exceeds the account's limit of 1,000\.00/,
    risk: { maxOrderNotional: '1000' },
    body: () => ({ action: 'openLong', quantity: 10, price: 150 }),
  },
  {
    name: 'over the position limit',
    code: 'MAX_POSITION',
    message: /Position would be 12 \w+; the account's limit is 10/,
    risk: { maxPositionQuantity: '10' },
    setup: async (h, f, s) => h.position(f.accountId, s, '8', '10'),
    body: () => ({ action: 'openLong', quantity: 4, price: 10 }),
  },
  {
    name: 'a symbol outside the allowed list',
    code: 'SYMBOL_NOT_ALLOWED',
    message: /is not among the account's allowed symbols \(MSFT\)/,
    risk: { allowedSymbols: ['MSFT'] },
    body: () => ({ action: 'openLong', quantity: 1, price: 10 }),
  },
  {
    name: 'a halted account',
    code: 'ACCOUNT_HALTED',
    message: /Account is halted/,
    account: { tradingState: 'HALTED' },
    setup: async (h, f, s) => h.position(f.accountId, s, '5', '10'),
    body: () => ({ action: 'closeLong' }),
  },
  {
    name: 'an opening signal on a reduce-only account',
    code: 'REDUCE_ONLY',
    message: /reduce-only: reverseToLong would open a position/,
    account: { tradingState: 'REDUCE_ONLY' },
    body: () => ({ action: 'reverseToLong', quantity: 1, price: 10 }),
  },
  {
    name: 'a PRICE stop above a long limit entry',
    code: 'INVALID_EXIT_RULE',
    message: /stop loss of a long must be below the entry price 100/,
    body: () => ({
      action: 'openLong',
      quantity: 1,
      orderType: 'LIMIT',
      limitPrice: 100,
      exitRules: { stopLoss: { type: 'PRICE', value: 101 } },
    }),
  },
];

describe('every refusal ends the signal REJECTED with its code, through the real gateway and queue', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start();
    h.processor();
  });
  afterAll(() => h.stop());

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const f = await h.fixture();
    const symbol = symbolFor(c.code);
    if (c.account) await h.updateAccount(f.accountId, c.account);
    if (c.risk) await h.riskSettings(f.accountId, c.risk);
    await c.setup?.(h, f, symbol);
    const id = await h.send(f, { symbol, ...c.body(symbol) });
    const signal = (await h.settled([id])).get(id);
    expect(signal).toMatchObject({ status: 'REJECTED', errorCode: c.code });
    expect(signal?.errorMessage).toMatch(c.message);
    expect(signal?.orders).toEqual([]);
    expect(signal?.events.map((e) => e.type)).toEqual(['RECEIVED', 'PROCESSING', 'REJECTED']);
    expect(await h.ordersQueue.getJobCounts('waiting')).toEqual({ waiting: 0 });
  });

  it('a reduce-only account still closes', async () => {
    const f = await h.fixture();
    const symbol = symbolFor('ro');
    await h.updateAccount(f.accountId, { tradingState: 'REDUCE_ONLY' });
    await h.riskSettings(f.accountId, { allowedSymbols: ['OTHER'] });
    await h.position(f.accountId, symbol, '7', '10');
    const id = await h.send(f, { symbol, action: 'closeLong' });
    const signal = (await h.settled([id])).get(id);
    expect(signal?.status).toBe('PROCESSING');
    expect(signal?.orders.map((o) => [o.role, o.side, o.quantity.toFixed()])).toEqual([['CLOSE', 'SELL', '7']]);
  });
});

describe('accepted signals become NEW orders, written with the signal and enqueued', () => {
  const h = new Harness();
  beforeAll(async () => {
    await h.start();
    h.processor();
  });
  afterAll(() => h.stop());

  it('openLong with exit rules: one ENTRY order carrying its rules and price basis, its job in the orders queue', async () => {
    const f = await h.fixture();
    const symbol = symbolFor('open');
    await h.quote(symbol, '150.25');
    const exitRules: ExitRules = { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'AMOUNT', value: 5 } };
    const id = await h.send(f, { symbol, action: 'openLong', quantity: 10, exitRules });
    const signal = (await h.settled([id])).get(id);
    expect(signal?.status).toBe('PROCESSING');
    const [order] = signal?.orders ?? [];
    expect(order).toMatchObject({
      role: 'ENTRY',
      side: 'BUY',
      type: 'MARKET',
      timeInForce: 'DAY',
      status: 'NEW',
      exitRules,
      symbol,
    });
    expect(order?.quantity.toFixed()).toBe('10');
    expect(order?.priceBasis?.toFixed()).toBe('150.25');
    expect(signal?.events.map((e) => e.type)).toEqual(['RECEIVED', 'PROCESSING', 'ORDER_CREATED']);
    expect(signal?.events[2]?.message).toBe(`ENTRY BUY 10 ${symbol} MARKET DAY`);
    const job = await h.ordersQueue.getJob(order?.id ?? '');
    expect(job?.data).toEqual({ orderId: order?.id, accountId: f.accountId, signalId: id });
  });

  it('reverseToLong from a short: CLOSE then ENTRY in that order, and the exit legs asked to cancel', async () => {
    const f = await h.fixture();
    const symbol = symbolFor('rev');
    await h.quote(symbol, '20');
    await h.position(f.accountId, symbol, '-30', '21');
    // An open stop-loss leg of the short position.
    const opener = await h.send(f, { symbol: symbolFor('x'), action: 'openLong', quantity: 1, price: 1 });
    await h.settled([opener]);
    const leg = await h.db.prisma.order.create({
      data: {
        id: crypto.randomUUID(),
        signalId: opener,
        accountId: f.accountId,
        role: 'STOP_LOSS',
        symbol,
        side: 'BUY',
        type: 'STOP',
        quantity: '30',
        stopPrice: '22',
        timeInForce: 'GTC',
        status: 'ACCEPTED',
      },
    });
    const id = await h.send(f, { symbol, action: 'reverseToLong' });
    const signal = (await h.settled([id])).get(id);
    expect(signal?.orders.map((o) => [o.role, o.side, o.quantity.toFixed()])).toEqual([
      ['CLOSE', 'BUY', '30'],
      ['ENTRY', 'BUY', '30'],
    ]);
    expect((await h.db.prisma.order.findUniqueOrThrow({ where: { id: leg.id } })).cancelRequestedAt).not.toBeNull();
    expect(signal?.events.filter((e) => e.type === 'CANCEL_REQUESTED').map((e) => e.orderId)).toEqual([leg.id]);
  });
});
