import { randomUUID } from 'node:crypto';
import type { Prisma } from '@utm/db';
import { uniqueSymbol } from '@utm/testkit';
import { json, signalBody, startGateway, type TestGateway } from './support/gateway';

/** The console's Accounts endpoints: the user's accounts, the detail, the trading-state changes. */
let gw: TestGateway;
beforeAll(async () => {
  gw = await startGateway();
});
afterAll(() => gw.close());

/** A symbol of this test's own: quotes are one shared table. */
const symbol = () => uniqueSymbol('Q');

async function signalOf(apiKey: string, accountId: string): Promise<string> {
  const res = await gw.post('/api/v1/signals/ingest', signalBody(accountId), { 'x-api-key': apiKey });
  expect(res.status).toBe(202);
  return String((await json(res)).signalId);
}

function order(
  o: Partial<Prisma.OrderUncheckedCreateInput> &
    Pick<Prisma.OrderUncheckedCreateInput, 'signalId' | 'accountId' | 'symbol'>,
): Prisma.OrderUncheckedCreateInput {
  return {
    id: randomUUID(),
    role: 'ENTRY',
    side: 'BUY',
    type: 'MARKET',
    quantity: '10',
    timeInForce: 'GTC',
    status: 'NEW',
    ...o,
  };
}

it('GET /api/v1/accounts lists only the key’s user’s accounts, with cash, equity and trading state', async () => {
  const a = await gw.fixture({ cash: '5000' });
  const b = await gw.fixture();
  const second = await gw.db.prisma.account.create({
    data: {
      userId: a.userId,
      name: 'live one',
      mode: 'LIVE',
      broker: 'alpaca',
      cash: '250.75',
      tradingState: 'REDUCE_ONLY',
    },
  });
  const sym = symbol();
  await gw.db.prisma.position.create({ data: { accountId: a.accountId, symbol: sym, quantity: '-3', avgPrice: '40' } });
  await gw.db.prisma.quote.create({ data: { symbol: sym, price: '42.5' } });

  expect((await gw.get('/api/v1/accounts')).status).toBe(401);
  const res = await gw.get('/api/v1/accounts', a.apiKey);
  expect(res.status).toBe(200);
  expect(await json(res)).toEqual({
    accounts: [
      // 5000 − 3 × 42.5: a short is a liability at the mark
      {
        accountId: a.accountId,
        name: 'test account',
        mode: 'PAPER',
        broker: 'paper',
        cash: '5000',
        equity: '4872.5',
        tradingState: 'ACTIVE',
      },
      {
        accountId: second.id,
        name: 'live one',
        mode: 'LIVE',
        broker: 'alpaca',
        cash: '250.75',
        equity: '250.75',
        tradingState: 'REDUCE_ONLY',
      },
    ],
  });
  const others = (await json(await gw.get('/api/v1/accounts', b.apiKey))).accounts as { accountId: string }[];
  expect(others.map((x) => x.accountId)).toEqual([b.accountId]);
});

it('GET /api/v1/accounts/:id adds each position’s live exit orders, open orders and recent fills', async () => {
  const f = await gw.fixture({ cash: '100000' });
  const [protectedSym, bareSym] = [symbol(), symbol()];
  const signalId = await signalOf(f.apiKey, f.accountId);
  await gw.db.prisma.position.createMany({
    data: [
      { accountId: f.accountId, symbol: protectedSym, quantity: '10', avgPrice: '150' },
      { accountId: f.accountId, symbol: bareSym, quantity: '2', avgPrice: '30' },
    ],
  });
  const entry = order({
    signalId,
    accountId: f.accountId,
    symbol: protectedSym,
    status: 'FILLED',
    filledQuantity: '10',
    avgFillPrice: '150',
  });
  const stop = order({
    signalId,
    accountId: f.accountId,
    symbol: protectedSym,
    role: 'STOP_LOSS',
    side: 'SELL',
    type: 'STOP',
    stopPrice: '147',
    status: 'ACCEPTED',
    parentOrderId: entry.id,
    brokerOrderId: 'paper-x',
  });
  const target = order({
    signalId,
    accountId: f.accountId,
    symbol: protectedSym,
    role: 'TAKE_PROFIT',
    side: 'SELL',
    type: 'LIMIT',
    limitPrice: '156',
    status: 'ACCEPTED',
    parentOrderId: entry.id,
  });
  // A stop being cancelled (a close asked for it) no longer protects its position.
  const cancelling = order({
    signalId,
    accountId: f.accountId,
    symbol: bareSym,
    role: 'STOP_LOSS',
    side: 'SELL',
    type: 'STOP',
    stopPrice: '29',
    status: 'ACCEPTED',
    cancelRequestedAt: new Date(),
  });
  const filledBare = order({
    signalId,
    accountId: f.accountId,
    symbol: bareSym,
    status: 'FILLED',
    quantity: '2',
    filledQuantity: '2',
    avgFillPrice: '30',
  });
  for (const o of [entry, stop, target, cancelling, filledBare]) await gw.db.prisma.order.create({ data: o });
  await gw.db.prisma.fill.create({
    data: { orderId: entry.id, quantity: '10', price: '150', at: new Date(Date.now() - 60000) },
  });
  await gw.db.prisma.fill.create({ data: { orderId: filledBare.id, quantity: '2', price: '30', at: new Date() } });

  const body = await json(await gw.get(`/api/v1/accounts/${f.accountId}`, f.apiKey));
  expect(body).toMatchObject({
    accountId: f.accountId,
    name: 'test account',
    mode: 'PAPER',
    broker: 'paper',
    cash: '100000',
    tradingState: 'ACTIVE',
  });
  const positions = body.positions as {
    symbol: string;
    quantity: string;
    avgPrice: string;
    exitOrders: { orderId: string; role: string; stopPrice: string | null; limitPrice: string | null }[];
  }[];
  const bySymbol = new Map(positions.map((p) => [p.symbol, p]));
  expect(bySymbol.get(protectedSym)?.exitOrders.map((o) => [o.orderId, o.role, o.stopPrice, o.limitPrice])).toEqual([
    [stop.id, 'STOP_LOSS', '147', null],
    [target.id, 'TAKE_PROFIT', null, '156'],
  ]);
  expect(bySymbol.get(bareSym)).toMatchObject({ quantity: '2', avgPrice: '30', exitOrders: [] });
  // Open orders newest first, the cancelling stop included (it is still at the broker).
  expect((body.openOrders as { orderId: string }[]).map((o) => o.orderId)).toEqual([cancelling.id, target.id, stop.id]);
  expect(body.openOrders).toContainEqual(
    expect.objectContaining({
      orderId: stop.id,
      brokerOrderId: 'paper-x',
      status: 'ACCEPTED',
      side: 'SELL',
      type: 'STOP',
    }),
  );
  expect(body.recentFills).toEqual([
    {
      orderId: filledBare.id,
      signalId,
      symbol: bareSym,
      side: 'BUY',
      role: 'ENTRY',
      quantity: '2',
      price: '30',
      at: expect.any(String),
    },
    {
      orderId: entry.id,
      signalId,
      symbol: protectedSym,
      side: 'BUY',
      role: 'ENTRY',
      quantity: '10',
      price: '150',
      at: expect.any(String),
    },
  ]);
});

it('POST halt / reduce-only / resume set the state for the owner and answer the account view', async () => {
  const f = await gw.fixture();
  const post = (action: string, apiKey?: string, id = f.accountId) =>
    gw.post(`/api/v1/accounts/${id}/${action}`, '', apiKey ? { 'x-api-key': apiKey } : {});
  for (const [action, state] of [
    ['halt', 'HALTED'],
    ['reduce-only', 'REDUCE_ONLY'],
    ['resume', 'ACTIVE'],
  ] as const) {
    const res = await post(action, f.apiKey);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      accountId: f.accountId,
      tradingState: state,
      cash: '100000',
      positions: [],
      openOrders: [],
    });
    expect((await gw.db.prisma.account.findUniqueOrThrow({ where: { id: f.accountId } })).tradingState).toBe(state);
  }
  expect((await post('halt')).status).toBe(401);
});

it('a key of the other mode cannot change the trading state (422 MODE_MISMATCH, as for signals)', async () => {
  const live = await gw.fixture({ mode: 'LIVE', keyMode: 'PAPER' });
  const res = await gw.post(`/api/v1/accounts/${live.accountId}/resume`, '', { 'x-api-key': live.apiKey });
  expect(res.status).toBe(422);
  expect((await json(res)).error).toBe('MODE_MISMATCH');
  await gw.db.prisma.account.update({ where: { id: live.accountId }, data: { tradingState: 'HALTED' } });
  expect((await gw.post(`/api/v1/accounts/${live.accountId}/resume`, '', { 'x-api-key': live.apiKey })).status).toBe(
    422,
  );
  expect((await gw.db.prisma.account.findUniqueOrThrow({ where: { id: live.accountId } })).tradingState).toBe('HALTED');
});

it('another user’s account is 404 for the detail and every state change, and stays as it was', async () => {
  const owner = await gw.fixture();
  const other = await gw.fixture();
  for (const path of [
    `/api/v1/accounts/${owner.accountId}`,
    `/api/v1/accounts/${randomUUID()}`,
    '/api/v1/accounts/not-a-uuid',
  ]) {
    const res = await gw.get(path, other.apiKey);
    expect(res.status).toBe(404);
    expect((await json(res)).error).toBe('ACCOUNT_NOT_FOUND');
  }
  for (const action of ['halt', 'reduce-only', 'resume']) {
    for (const id of [owner.accountId, randomUUID(), 'nope']) {
      const res = await gw.post(`/api/v1/accounts/${id}/${action}`, '', { 'x-api-key': other.apiKey });
      expect(res.status).toBe(404);
      expect((await json(res)).error).toBe('ACCOUNT_NOT_FOUND');
    }
  }
  expect((await gw.db.prisma.account.findUniqueOrThrow({ where: { id: owner.accountId } })).tradingState).toBe(
    'ACTIVE',
  );
});

it('GET /api/v1/signals filters by symbol too', async () => {
  const f = await gw.fixture();
  const res1 = await gw.post('/api/v1/signals/ingest', signalBody(f.accountId, { symbol: 'MSFT' }), {
    'x-api-key': f.apiKey,
  });
  const res2 = await gw.post('/api/v1/signals/ingest', signalBody(f.accountId, { symbol: 'AAPL' }), {
    'x-api-key': f.apiKey,
  });
  const msft = String((await json(res1)).signalId);
  expect(res2.status).toBe(202);
  const body = await json(await gw.get('/api/v1/signals?symbol=MSFT', f.apiKey));
  expect((body.signals as { signalId: string }[]).map((s) => s.signalId)).toEqual([msft]);
  const bad = await gw.get('/api/v1/signals?symbol=msft', f.apiKey);
  expect(bad.status).toBe(400);
  expect((await json(bad)).details).toEqual([{ field: 'symbol', message: expect.any(String) }]);
});
