/**
 * The ccxt venue against the Binance spot stand-in, through the real ccxt client: our order id
 * is the exchange's client order id, placements whose outcome is unknown are looked up before
 * anything is sent again, and every refusal carries its precise code.
 */
import { Decimal } from '@utm/db';
import { startBinanceServer, type BinanceSpotServer } from '@utm/testkit';
import { ccxtFor, orderRequest, rejection } from '../../support/ccxt';

let server: BinanceSpotServer;
const symbols = new Map<string, string>();
beforeEach(async () => {
  server = await startBinanceServer({ balances: { USDT: '10000' } });
  server.setPrice('BTCUSDT', '65000');
});
afterEach(async () => {
  await server.close();
});

describe('ccxt venue (Binance spot): placing exactly once', () => {
  it('places a market buy with our id as newClientOrderId and reports the fill', async () => {
    const req = orderRequest();
    const placed = await ccxtFor(server, symbols).broker.place(req);
    expect(placed).toMatchObject({ clientOrderId: req.clientOrderId, status: 'FILLED', brokerOrderId: 'BTCUSDT:1' });
    expect(placed.filledQuantity.toFixed()).toBe('0.01');
    expect(placed.avgFillPrice?.toFixed()).toBe('65000');
    expect(server.calls('POST', '/api/v3/order')[0]?.params.get('newClientOrderId')).toBe(req.clientOrderId);
  });

  it('finds an order by our id from a fresh process (the symbol from our orders table), and null for one never sent', async () => {
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal('64000'), timeInForce: 'GTC' });
    await ccxtFor(server, symbols).broker.place(req);
    symbols.set(req.clientOrderId, 'BTC/USDT');
    const fresh = ccxtFor(server, symbols).broker;
    expect(await fresh.findByClientOrderId(req.clientOrderId)).toMatchObject({ status: 'ACCEPTED' });
    const never = orderRequest();
    symbols.set(never.clientOrderId, 'BTC/USDT');
    expect(await fresh.findByClientOrderId(never.clientOrderId)).toBeNull();
    expect(server.calls('GET', '/api/v3/order').map((c) => c.params.get('origClientOrderId'))).toEqual([
      req.clientOrderId,
      never.clientOrderId,
    ]);
  });

  it.each(['acceptThenHang', 'acceptThenDrop'] as const)(
    'adopts the order when Binance accepted it and the answer was lost (%s): one order, no resend',
    async (kind) => {
      server.fault('POST', '/api/v3/order', { kind });
      const req = orderRequest();
      const placed = await ccxtFor(server, symbols).broker.place(req);
      expect(placed).toMatchObject({ clientOrderId: req.clientOrderId, status: 'FILLED' });
      expect(server.calls('POST', '/api/v3/order')).toHaveLength(1);
      expect(server.book.orders).toHaveLength(1);
    },
  );

  it('stays uncertain when the request may have arrived and Binance does not have it yet: the caller asks again', async () => {
    server.fault('POST', '/api/v3/order', { kind: 'hang' });
    const req = orderRequest();
    const err = await rejection(ccxtFor(server, symbols).broker.place(req));
    expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', opts: expect.objectContaining({ uncertain: true }) });
    expect(server.book.orders).toHaveLength(0);
  });

  it('adopts an order whose id Binance already has working (Duplicate order sent.)', async () => {
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal('64000'), timeInForce: 'GTC' });
    const broker = ccxtFor(server, symbols).broker;
    const first = await broker.place(req);
    const again = await ccxtFor(server, symbols).broker.place(req);
    expect(again.brokerOrderId).toBe(first.brokerOrderId);
    expect(server.book.orders).toHaveLength(1);
  });

  it('resynchronises its clock on -1021 and sends again (Binance refused the first before processing it)', async () => {
    server.clockOffsetMs = 30_000;
    const placed = await ccxtFor(server, symbols).broker.place(orderRequest());
    expect(placed.status).toBe('FILLED');
    expect(server.calls('GET', '/api/v3/time')).toHaveLength(1);
    expect(server.book.orders).toHaveLength(1);
  });

  it('treats a 5xx on placement as unknown: looks it up, adopts it if it is there', async () => {
    server.fault('POST', '/api/v3/order', { kind: 'status', status: 503 });
    const err = await rejection(ccxtFor(server, symbols).broker.place(orderRequest()));
    expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', opts: expect.objectContaining({ uncertain: true }) });
  });
});

describe('ccxt venue (Binance spot): refusals, each with its code', () => {
  it.each([
    ['more than the balance pays for', orderRequest({ quantity: new Decimal('1') }), 'INSUFFICIENT_BALANCE'],
    ['a symbol Binance does not list', orderRequest({ symbol: 'DOGE/EUR' }), 'ASSET_NOT_TRADABLE'],
    [
      'a stop that would trigger at once',
      orderRequest({ side: 'BUY', type: 'STOP', stopPrice: new Decimal('64000') }),
      'STOP_PRICE_REFUSED',
    ],
    ['a notional under the minimum', orderRequest({ quantity: new Decimal('0.00005') }), 'MIN_NOTIONAL'],
  ])('refuses %s', async (_what, req, reason) => {
    const err = await rejection(ccxtFor(server, symbols).broker.place(req));
    expect(err).toMatchObject({ code: reason, refused: true });
  });

  it('refuses wrong keys as BROKER_AUTH_FAILED, without the secret in the message', async () => {
    const err = await rejection(
      ccxtFor(server, symbols, { secret: 'wrong-secret-value' }).broker.place(orderRequest()),
    );
    expect(err).toMatchObject({ code: 'BROKER_AUTH_FAILED' });
    expect(err.message).not.toContain('wrong-secret-value');
    expect(err.message).not.toContain(server.apiKey);
  });

  it('cancels by our id; an unknown id is a 404; a finished order resolves without a DELETE', async () => {
    const broker = ccxtFor(server, symbols).broker;
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal('64000'), timeInForce: 'GTC' });
    await broker.place(req);
    await broker.cancel(req.clientOrderId);
    expect(await broker.findByClientOrderId(req.clientOrderId)).toMatchObject({ status: 'CANCELLED' });
    await broker.cancel(req.clientOrderId);
    expect(server.calls('DELETE', '/api/v3/order')).toHaveLength(1);
    const unknown = orderRequest();
    symbols.set(unknown.clientOrderId, 'BTC/USDT');
    expect(await rejection(broker.cancel(unknown.clientOrderId))).toMatchObject({
      opts: expect.objectContaining({ status: 404 }),
    });
  });
});
