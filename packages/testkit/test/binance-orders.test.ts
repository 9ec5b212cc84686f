/**
 * The Binance spot stand-in's orders, driven by the real ccxt client: what it accepts, what it
 * refuses with which code (filters -1013, balance -2010, duplicate client order id -2010,
 * unknown order -2011 / -2013), and fills at the price a test sets or driven by the test.
 */
import { startBinanceServer, type BinanceSpotServer } from '../src/binance/server';
import { ccxtFor, failure, wallet } from './binance-support';

let server: BinanceSpotServer;
beforeEach(async () => {
  server = await startBinanceServer({ balances: { USDT: '10000', BTC: '0' } });
  server.setPrice('BTCUSDT', '65000');
});
afterEach(async () => {
  await server.close();
});

/** POST /api/v3/order through ccxt's implicit API: the parameters reach the wire exactly as given. */
const rawOrder = (params: Record<string, string>) =>
  ccxtFor(server).privatePostOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', ...params });

describe('Binance stand-in: orders, through ccxt', () => {
  it('fills a market buy at the last price, with our client order id, and moves the balances', async () => {
    const ex = ccxtFor(server);
    const o = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'ours-1' });
    expect(o).toMatchObject({ clientOrderId: 'ours-1', status: 'closed', filled: 0.01, average: 65000 });
    expect(server.calls('POST', '/api/v3/order')[0]?.params.get('newClientOrderId')).toBe('ours-1');
    const found = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'ours-1' });
    expect(found).toMatchObject({ id: o.id, status: 'closed' });
    expect(server.calls('GET', '/api/v3/order')[0]?.params.get('origClientOrderId')).toBe('ours-1');
    const bal = await wallet(ex);
    expect([bal('USDT').free, bal('BTC').free]).toEqual([9350, 0.01]);
  });

  it.each([
    ['a quantity off the lot step', { quantity: '0.000015', price: '65000' }, 'Filter failure: LOT_SIZE'],
    ['a quantity under minQty', { quantity: '0.000001', price: '65000' }, 'Filter failure: LOT_SIZE'],
    ['a price off the tick', { quantity: '0.001', price: '65000.005' }, 'Filter failure: PRICE_FILTER'],
    ['a notional under minNotional', { quantity: '0.00001', price: '60000' }, 'Filter failure: NOTIONAL'],
  ])('refuses %s with -1013', async (_what, params, msg) => {
    expect(await failure(rawOrder(params))).toEqual({ code: -1013, msg });
    expect(server.book.orders).toHaveLength(0);
  });

  it('applies the minimum notional to MARKET orders at the last price (applyMinToMarket)', async () => {
    // A MARKET order takes no timeInForce (rest-api.md: mandatory parameters by type).
    expect(await failure(rawOrder({ type: 'MARKET', quantity: '0.001', timeInForce: 'GTC' }))).toMatchObject({
      code: -1106,
    });
    const raw = ccxtFor(server).privatePostOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '0.00005',
    });
    expect(await failure(raw)).toEqual({ code: -1013, msg: 'Filter failure: NOTIONAL' });
  });

  it('refuses what the balance cannot pay or deliver with -2010', async () => {
    const ex = ccxtFor(server);
    const msg = 'Account has insufficient balance for requested action.';
    expect(await failure(ex.createOrder('BTC/USDT', 'limit', 'buy', 1, 60000))).toEqual({ code: -2010, msg });
    expect(await failure(ex.createOrder('BTC/USDT', 'market', 'sell', 0.01))).toEqual({ code: -2010, msg });
  });

  it('refuses a client order id still in use (-2010 Duplicate order sent.) and accepts it again once filled', async () => {
    const ex = ccxtFor(server);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60000, { clientOrderId: 'dup-1' });
    expect(await failure(ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60000, { clientOrderId: 'dup-1' }))).toEqual({
      code: -2010,
      msg: 'Duplicate order sent.',
    });
    server.fill('dup-1');
    // Binance's rule ("accepted only when the previous one is filled"): a resend after a fill
    // buys again. This is why a retry must look the id up first.
    await expect(
      ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 60000, { clientOrderId: 'dup-1' }),
    ).resolves.toBeDefined();
    expect(server.book.orders.filter((o) => o.clientOrderId === 'dup-1')).toHaveLength(2);
  });

  it('answers an unknown order with -2013 on query and -2011 on cancel, and a finished one with -2011 on cancel', async () => {
    const ex = ccxtFor(server);
    expect(await failure(ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'never' }))).toEqual({
      code: -2013,
      msg: 'Order does not exist.',
    });
    expect(await failure(ex.cancelOrder('', 'BTC/USDT', { clientOrderId: 'never' }))).toEqual({
      code: -2011,
      msg: 'Unknown order sent.',
    });
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'done-1' });
    expect(await failure(ex.cancelOrder('', 'BTC/USDT', { clientOrderId: 'done-1' }))).toMatchObject({ code: -2011 });
  });

  it('rests a limit below the market, fills it in parts as the test drives it, and cancels the rest', async () => {
    const ex = ccxtFor(server);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.03, 64000, { clientOrderId: 'part-1' });
    expect((await wallet(ex))('USDT').used).toBe(1920);
    server.fill('part-1', '0.01');
    expect(await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'part-1' })).toMatchObject({
      status: 'open',
      filled: 0.01,
      remaining: 0.02,
      average: 64000,
    });
    expect(server.order('part-1').status).toBe('PARTIALLY_FILLED');
    const canceled = await ex.cancelOrder('', 'BTC/USDT', { clientOrderId: 'part-1' });
    expect(canceled).toMatchObject({ status: 'canceled', filled: 0.01 });
    const bal = await wallet(ex);
    expect([bal('USDT').free, bal('USDT').used, bal('BTC').free]).toEqual([9360, 0, 0.01]);
  });

  it('fills a resting limit when the market reaches it; a market order finding too little expires with its part', async () => {
    const ex = ccxtFor(server);
    await ex.createOrder('BTC/USDT', 'limit', 'buy', 0.01, 64000, { clientOrderId: 'rest-1' });
    server.setPrice('BTCUSDT', '63990');
    expect(server.order('rest-1')).toMatchObject({ status: 'FILLED' });
    server.setLiquidity('BTCUSDT', '0.004');
    const m = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'thin-1' });
    expect(m).toMatchObject({ status: 'expired', filled: 0.004 });
  });

  it('charges the taker commission in the asset received, and lists the trades with it (GET /api/v3/myTrades)', async () => {
    server.setCommission('0.001');
    const ex = ccxtFor(server);
    const o = await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'fee-1' });
    const trades = await ex.fetchOrderTrades(String(o.id), 'BTC/USDT');
    expect(trades.map((t) => [t.amount, t.price, t.fee?.cost, t.fee?.currency])).toEqual([
      [0.01, 65000, 0.00001, 'BTC'],
    ]);
    expect((await wallet(ex))('BTC').free).toBe(0.00999);
  });

  it('refuses a stop that would trigger at once and a LIMIT_MAKER that would take', async () => {
    await ccxtFor(server).createOrder('BTC/USDT', 'market', 'buy', 0.01);
    const stop = ccxtFor(server).privatePostOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'STOP_LOSS',
      quantity: '0.01',
      stopPrice: '66000',
    });
    expect(await failure(stop)).toEqual({ code: -2010, msg: 'Order would trigger immediately.' });
    const maker = ccxtFor(server).privatePostOrder({
      symbol: 'BTCUSDT',
      side: 'SELL',
      type: 'LIMIT_MAKER',
      quantity: '0.01',
      price: '64000',
    });
    expect(await failure(maker)).toEqual({ code: -2010, msg: 'Order would immediately match and take.' });
  });
});
