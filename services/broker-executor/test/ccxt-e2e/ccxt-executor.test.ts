import { Decimal } from '@utm/db';
import type { BinanceSpotServer } from '@utm/testkit';
import { ccxtConnection } from '../../src/venues/ccxt';
import { orderSymbol } from '../../src/repositories/orders';
import { aroundBinanceStack } from '../support/ccxt';
import { Stack } from '../support/stack';

/**
 * Webhook → gateway → processor → executor → the Binance spot stand-in, through the real ccxt
 * client: every service for real, in-process, over HTTP, Postgres and Redis.
 */
describe('a ccxt (Binance spot) account, end to end', () => {
  let server: BinanceSpotServer;
  const s: Stack = new Stack({
    brokerFor: (account) =>
      ccxtConnection(
        account,
        { apiKey: server.apiKey, secret: server.secret },
        {
          timeoutMs: 700,
          pollIntervalMs: 100,
          symbolOf: (id) => orderSymbol(s.db.pool, id),
          urls: server.ccxtUrls(),
          enableRateLimit: false,
        },
      ),
  });
  aroundBinanceStack(s, (started) => (server = started));
  beforeEach(() => {
    server.setPrice('BTCUSDT', '65000');
    server.setBalance('USDT', '100000');
  });

  const binanceAccount = () => s.fixture({ broker: 'ccxt', exchange: 'binance', allowFractional: true });
  const btc = { symbol: 'BTC/USDT', price: 65000 } as const;

  it('a market buy: our order id is Binance newClientOrderId; FILLED at the market, position and cash follow', async () => {
    const f = await binanceAccount();
    const id = await s.send(f, { ...btc, action: 'openLong', quantity: 0.01 });
    const filled = await s.until(id, ['FILLED']);
    const [order] = filled.orders;
    const atBinance = server.order(order?.id ?? '');
    expect(atBinance).toMatchObject({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', status: 'FILLED' });
    expect(order?.brokerOrderId).toBe(`BTCUSDT:${atBinance.orderId}`);
    expect(order?.avgFillPrice?.toFixed()).toBe('65000');
    expect(await s.account(f.accountId)).toEqual({
      cash: '99350',
      positions: { 'BTC/USDT': { quantity: '0.01', avgPrice: '65000' } },
    });
  });

  it('a limit rests at Binance (SUBMITTED), fills when the market reaches it, seen by polling', async () => {
    const f = await binanceAccount();
    const id = await s.send(f, { ...btc, action: 'openLong', quantity: 0.02, orderType: 'LIMIT', limitPrice: 64000 });
    const submitted = await s.until(id, ['SUBMITTED']);
    const atBinance = server.order(submitted.orders[0]?.id ?? '');
    expect(atBinance).toMatchObject({ type: 'LIMIT', timeInForce: 'GTC', status: 'NEW' });
    expect(atBinance.price.toFixed()).toBe('64000');
    server.fill(atBinance.clientOrderId, '0.005');
    await s.until(id, ['PARTIALLY_FILLED']);
    server.setPrice('BTCUSDT', '63990');
    const filled = await s.until(id, ['FILLED']);
    expect(filled.orders[0]?.filledQuantity.toFixed()).toBe('0.02');
    expect(filled.orders[0]?.fills.map((x) => x.quantity.toFixed())).toEqual(['0.005', '0.015']);
  });

  it('a close sells what is held, at the market', async () => {
    const f = await binanceAccount();
    await s.until(await s.send(f, { ...btc, action: 'openLong', quantity: 0.01 }), ['FILLED']);
    const closed = await s.until(await s.send(f, { ...btc, action: 'closeLong' }), ['FILLED']);
    expect(closed.orders[0]).toMatchObject({ role: 'CLOSE', side: 'SELL' });
    expect(server.order(closed.orders[0]?.id ?? '')).toMatchObject({ side: 'SELL', status: 'FILLED' });
    expect(await s.account(f.accountId)).toMatchObject({ cash: '100000', positions: {} });
  });

  it('stop loss + take profit rest as one OCO order list; the target filling expires the stop; the position closes', async () => {
    const f = await binanceAccount();
    const exitRules = { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 4 } } as const;
    const id = await s.send(f, { ...btc, action: 'openLong', quantity: 0.01, exitRules });
    await s.until(id, ['FILLED']);
    const legs = await s.waitFor(
      'exit legs accepted at Binance',
      async () => (await s.signal(id)).orders.filter((o) => o.role !== 'ENTRY'),
      (l) => l.length === 2 && l.every((o) => o.status === 'ACCEPTED'),
    );
    const tp = legs.find((o) => o.role === 'TAKE_PROFIT');
    const sl = legs.find((o) => o.role === 'STOP_LOSS');
    expect([tp?.limitPrice?.toFixed(), sl?.stopPrice?.toFixed()]).toEqual(['67600', '63700']);
    const [oco] = server.calls('POST', '/api/v3/orderList/oco');
    expect(oco?.params.get('listClientOrderId')).toBe(tp?.id);
    expect(server.order(tp?.id ?? '')).toMatchObject({ type: 'LIMIT_MAKER', status: 'NEW' });
    expect(server.book.orders.find((o) => o.type === 'STOP_LOSS')?.stopPrice?.toFixed()).toBe('63700');

    server.setPrice('BTCUSDT', '67600');
    const after = await s.waitFor(
      'target filled, stop ended',
      async () => (await s.signal(id)).orders.filter((o) => o.role !== 'ENTRY').map((o) => [o.role, o.status]),
      (l) =>
        l.some(([r, st]) => r === 'TAKE_PROFIT' && st === 'FILLED') &&
        l.some(([r, st]) => r === 'STOP_LOSS' && st !== 'ACCEPTED'),
    );
    expect(after).toContainEqual(['STOP_LOSS', expect.stringMatching(/^(EXPIRED|CANCELLED)$/)]);
    await s.waitFor(
      'position closed',
      () => s.account(f.accountId),
      (a) => Object.keys(a.positions).length === 0,
    );
  });

  it('a short is refused up front: REJECTED NOT_SHORTABLE, nothing sent to Binance', async () => {
    const f = await binanceAccount();
    const before = server.calls('POST', '/api/v3/order').length;
    const rejected = await s.until(await s.send(f, { ...btc, action: 'openShort', quantity: 0.01 }), ['REJECTED']);
    expect(rejected).toMatchObject({ errorCode: 'NOT_SHORTABLE', orders: [] });
    expect(rejected.errorMessage).toMatch(/long only/);
    expect(server.calls('POST', '/api/v3/order').length).toBe(before);
  });

  it("the exchange's market rules, first from the executor (before sending), then from the processor (instrument_rules)", async () => {
    const f = await binanceAccount();
    server.setPrice('ETHUSDT', '3000');
    const eth = { symbol: 'ETH/USDT', price: 3000 } as const;
    const before = server.calls('POST', '/api/v3/order').length;
    // ETH/USDT has not been traded yet: nothing is known of it until the executor asks Binance
    // (loadMarkets), so the executor's check refuses it before sending: FAILED with the rule's code.
    const first = await s.until(await s.send(f, { ...eth, action: 'openLong', quantity: 0.001 }), ['FAILED']);
    expect(first).toMatchObject({ errorCode: 'MIN_NOTIONAL' });
    expect(first.errorMessage).toBe(
      'Order value 0.001 × 3000 = 3 is below the ccxt:binance minimum notional for ETH/USDT, 5',
    );
    expect(first.orders[0]).toMatchObject({ status: 'REJECTED', errorCode: 'MIN_NOTIONAL' });
    expect(server.calls('POST', '/api/v3/order').length).toBe(before);
    // What Binance said of ETH/USDT is now in instrument_rules under ccxt:binance.
    const { rows } = await s.db.pool.query<{ step: string; min: string }>(
      `SELECT quantity_step::text AS step, min_notional::text AS min FROM instrument_rules WHERE venue = 'ccxt:binance' AND symbol = 'ETH/USDT'`,
    );
    expect(rows.map((r) => [Number(r.step), Number(r.min)])).toEqual([[0.0001, 5]]);

    // From now on the processor sizes with them: refused before any order exists, REJECTED…
    const second = await s.until(await s.send(f, { ...eth, action: 'openLong', quantity: 0.001 }), ['REJECTED']);
    expect(second).toMatchObject({ errorCode: 'MIN_NOTIONAL', orders: [] });
    expect(second.errorMessage).toBe(
      'Order value 0.001 × 3000 = 3 is below the ccxt:binance minimum notional for ETH/USDT, 5',
    );
    // …and an amount in dollars comes to a quantity on the lot step (100 / 3000 = 0.0333…, step 0.0001).
    const dollars = await s.until(
      await s.send(f, { ...eth, action: 'openLong', quantity: 100, quantityType: 'DOLLAR_AMOUNT' }),
      ['FILLED'],
    );
    expect(dollars.orders[0]?.quantity.toFixed()).toBe('0.0333');
    expect(server.order(dollars.orders[0]?.id ?? '').origQty.toFixed()).toBe('0.0333');
    expect(server.calls('POST', '/api/v3/order').length).toBe(before + 1);
  });

  it('a refusal by Binance ends the order with its precise code: insufficient balance → FAILED INSUFFICIENT_BALANCE', async () => {
    const f = await binanceAccount();
    server.setBalance('USDT', '10');
    const id = await s.send(f, { ...btc, action: 'openLong', quantity: 0.01 });
    const rejected = await s.until(id, ['FAILED']);
    expect(rejected).toMatchObject({ errorCode: 'INSUFFICIENT_BALANCE' });
    expect(rejected.orders[0]).toMatchObject({ status: 'REJECTED', errorCode: 'INSUFFICIENT_BALANCE' });
    expect(rejected.errorMessage).toMatch(/insufficient balance/);
  });

  it('a timeout after Binance accepted: resolved by looking our id up, never sent twice', async () => {
    const f = await binanceAccount();
    server.fault('POST', '/api/v3/order', { kind: 'acceptThenHang' });
    const before = server.calls('POST', '/api/v3/order').length;
    const id = await s.send(f, { ...btc, action: 'openLong', quantity: 0.01 });
    const filled = await s.until(id, ['FILLED']);
    expect(server.calls('POST', '/api/v3/order').length).toBe(before + 1);
    expect(server.book.orders.filter((o) => o.clientOrderId === filled.orders[0]?.id)).toHaveLength(1);
    const lookups = server.calls('GET', '/api/v3/order').map((c) => c.params.get('origClientOrderId'));
    expect(lookups).toContain(filled.orders[0]?.id);
    expect(filled.orders[0]?.quantity).toEqual(new Decimal('0.01'));
  });

  it('a timeout after Binance accepted and a failed lookup: the order stays SUBMITTING, the retry looks it up and adopts it', async () => {
    const f = await binanceAccount();
    server.fault('POST', '/api/v3/order', { kind: 'acceptThenDrop' });
    server.fault('GET', '/api/v3/order', { kind: 'status', status: 503 });
    const before = server.calls('POST', '/api/v3/order').length;
    const id = await s.send(f, { ...btc, action: 'openLong', quantity: 0.01 });
    const filled = await s.until(id, ['FILLED']);
    const types = filled.events.map((e) => e.type);
    expect(types).toContain('SUBMITTING');
    expect(types).toContain('RECONCILED'); // "Found at ccxt:binance after an interrupted placement: adopted"
    expect(types).not.toContain('RESUBMIT');
    expect(server.calls('POST', '/api/v3/order').length).toBe(before + 1);
  });
});
