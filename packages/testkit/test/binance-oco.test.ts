/**
 * OCO order lists on the Binance spot stand-in (POST /api/v3/orderList/oco, the endpoint that
 * replaced the deprecated POST /api/v3/order/oco), through ccxt's binance API methods: the price
 * relationship, one quantity held once for both orders, one order executing expires the other,
 * cancelling one order cancels the list.
 */
import { startBinanceServer, type BinanceSpotServer } from '../src/binance/server';
import { ccxtFor, failure, wallet } from './binance-support';

let server: BinanceSpotServer;
beforeEach(async () => {
  server = await startBinanceServer({ balances: { USDT: '1000', BTC: '0.01' } });
  server.setPrice('BTCUSDT', '65000');
});
afterEach(async () => {
  await server.close();
});

/** A SELL OCO protecting a long: take profit above the market (LIMIT_MAKER), stop loss below (STOP_LOSS). */
const sellOco = (over: Record<string, string> = {}) =>
  ccxtFor(server).privatePostOrderListOco({
    symbol: 'BTCUSDT',
    side: 'SELL',
    quantity: '0.01',
    aboveType: 'LIMIT_MAKER',
    abovePrice: '67000',
    aboveClientOrderId: 'tp-1',
    belowType: 'STOP_LOSS',
    belowStopPrice: '63000',
    listClientOrderId: 'tp-1',
    newOrderRespType: 'RESULT',
    ...over,
  });

describe('Binance stand-in: OCO order lists, through ccxt', () => {
  it('places the pair, holds the quantity once, and answers the list by its client id', async () => {
    const res = (await sellOco()) as { orderListId: number; orderReports: { clientOrderId: string; type: string }[] };
    expect(res).toMatchObject({ contingencyType: 'OCO', listStatusType: 'EXEC_STARTED', listClientOrderId: 'tp-1' });
    expect(res.orderReports.map((r) => r.type)).toEqual(['STOP_LOSS', 'LIMIT_MAKER']);
    const bal = await wallet(ccxtFor(server));
    expect([bal('BTC').free, bal('BTC').used]).toEqual([0, 0.01]);
    const list = await ccxtFor(server).privateGetOrderList({ origClientOrderId: 'tp-1' });
    expect(list).toMatchObject({ orderListId: res.orderListId, listOrderStatus: 'EXECUTING' });
    const tp = await ccxtFor(server).fetchOrder('', 'BTC/USDT', { clientOrderId: 'tp-1' });
    expect(tp.info).toMatchObject({ orderListId: res.orderListId, type: 'LIMIT_MAKER' });
  });

  it.each([
    ['a take profit below the market', { abovePrice: '64000' }],
    ['a stop above the market', { belowStopPrice: '65500' }],
  ])('refuses %s: -2010 price relationship', async (_what, over) => {
    expect(await failure(sellOco(over))).toEqual({
      code: -2010,
      msg: 'The relationship of the prices for the orders is not correct.',
    });
  });

  it('refuses a pair the balance cannot deliver, a wrong combination, filter failures and a duplicate list id', async () => {
    expect(await failure(sellOco({ quantity: '0.02' }))).toMatchObject({ code: -2010 });
    expect(await failure(sellOco({ aboveType: 'STOP_LOSS', aboveStopPrice: '67000', abovePrice: '' }))).toMatchObject({
      code: -1014,
    });
    expect(await failure(sellOco({ abovePrice: '67000.001' }))).toEqual({
      code: -1013,
      msg: 'Filter failure: PRICE_FILTER',
    });
    await sellOco({ quantity: '0.005' });
    expect(await failure(sellOco({ quantity: '0.005', aboveClientOrderId: 'tp-2' }))).toEqual({
      code: -2010,
      msg: 'Duplicate order sent.',
    });
  });

  it('expires the other order when one executes (OCO_TRIGGER), partly or wholly', async () => {
    await sellOco();
    server.fill('tp-1', '0.004');
    const ex = ccxtFor(server);
    expect(await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'tp-1' })).toMatchObject({
      status: 'open',
      filled: 0.004,
    });
    const [stop] = server.book.orders.filter((o) => o.type === 'STOP_LOSS');
    expect(stop).toMatchObject({ status: 'EXPIRED', expiryReason: 'OCO_TRIGGER' });
    server.setPrice('BTCUSDT', '67000');
    expect(server.order('tp-1').status).toBe('FILLED');
    expect((await ex.privateGetOrderList({ origClientOrderId: 'tp-1' })) as object).toMatchObject({
      listOrderStatus: 'ALL_DONE',
    });
    const bal = await wallet(ex);
    expect([bal('BTC').free, bal('BTC').used, bal('USDT').free]).toEqual([0, 0, 1670]);
  });

  it('executes the stop at the market when it trades through, expiring the take profit', async () => {
    await sellOco();
    server.setPrice('BTCUSDT', '62900');
    const [stop] = server.book.orders.filter((o) => o.type === 'STOP_LOSS');
    expect(stop).toMatchObject({ status: 'FILLED' });
    expect(stop?.cummulativeQuoteQty.toFixed()).toBe('629');
    expect(server.order('tp-1')).toMatchObject({ status: 'EXPIRED', expiryReason: 'OCO_TRIGGER' });
  });

  it('cancels the whole list when one of its orders is cancelled, and by DELETE /api/v3/orderList', async () => {
    await sellOco();
    await ccxtFor(server).cancelOrder('', 'BTC/USDT', { clientOrderId: 'tp-1' });
    expect(server.book.orders.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect((await wallet(ccxtFor(server)))('BTC').free).toBe(0.01);
    await sellOco({ aboveClientOrderId: 'tp-3', listClientOrderId: 'tp-3' });
    await ccxtFor(server).privateDeleteOrderList({ symbol: 'BTCUSDT', listClientOrderId: 'tp-3' });
    expect(server.book.orders.slice(2).map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(
      await failure(ccxtFor(server).privateDeleteOrderList({ symbol: 'BTCUSDT', listClientOrderId: 'tp-3' })),
    ).toMatchObject({
      code: -2011,
    });
  });
});
