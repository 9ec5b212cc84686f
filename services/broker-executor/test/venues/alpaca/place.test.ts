import { Decimal } from '@utm/db';
import { alpacaEndpoints } from '../../../src/venues/alpaca';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { brokerFor, orderRequest, rejection } from './fixtures';

let server: AlpacaTestServer;
beforeEach(async () => {
  server = await startAlpacaServer();
});
afterEach(() => server.close());

describe('AlpacaBroker: placing', () => {
  it('places an order: accepted, keys sent as headers, the order id is the client order id', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest();
    const order = await broker.place(req);
    expect(order).toEqual({
      brokerOrderId: server.order(req.clientOrderId).id,
      clientOrderId: req.clientOrderId,
      status: 'ACCEPTED',
      filledQuantity: new Decimal(0),
      avgFillPrice: null,
      legs: [],
      reason: null,
      replacedBy: null,
      pendingCancel: false,
    });
    const [post] = server.calls('POST', '/v2/orders');
    expect(post?.headers['apca-api-key-id']).toBe(server.keyId);
    expect(post?.headers['apca-api-secret-key']).toBe(server.secretKey);
    expect(post?.query.toString()).toBe(''); // never in the URL
  });

  it('an order accepted outside market hours ("accepted") is ACCEPTED', async () => {
    await server.close();
    server = await startAlpacaServer({ acceptAs: 'accepted' });
    expect((await brokerFor(server).broker.place(orderRequest())).status).toBe('ACCEPTED');
  });

  it('403 insufficient buying power → INSUFFICIENT_BUYING_POWER with Alpaca words, not retried', async () => {
    server.fault('POST', '/v2/orders', {
      kind: 'status',
      status: 403,
      body: { buying_power: '10', code: 40310000, cost_basis: '1870', message: 'insufficient buying power' },
    });
    const err = await rejection(brokerFor(server).broker.place(orderRequest()));
    expect(err).toMatchObject({
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Alpaca refused the order: not enough buying power at Alpaca (Alpaca: "insufficient buying power")',
      opts: { status: 403, alpacaMessage: 'insufficient buying power' },
    });
    expect(server.calls('POST', '/v2/orders')).toHaveLength(1);
    expect(server.calls('GET', '/v2/orders:by_client_order_id')).toHaveLength(0);
  });

  it('422 invalid order → its precise code with the server message, once', async () => {
    const err = await rejection(
      brokerFor(server).broker.place(
        orderRequest({
          symbol: 'AAPL',
          timeInForce: 'IOC',
          bracket: { takeProfitLimitPrice: new Decimal(2), stopLossStopPrice: new Decimal(1) },
        }),
      ),
    );
    expect(err).toMatchObject({
      code: 'ORDER_NOT_SUPPORTED',
      opts: { status: 422, alpacaMessage: 'time_in_force must be day or gtc for advanced orders' },
    });
    expect(server.calls('POST', '/v2/orders')).toHaveLength(1);
  });

  it('wrong keys → 401 from Alpaca, BROKER_AUTH_FAILED; the secret appears in no error message', async () => {
    const secret = 'wrong-secret-0123456789abcdef';
    const { broker } = brokerFor(server, { credentials: { keyId: 'PKWRONG', secretKey: secret } });
    const errors = await Promise.all([
      rejection(broker.place(orderRequest())),
      rejection(broker.snapshot()),
      rejection(broker.openOrders()),
    ]);
    for (const err of errors) {
      expect(err).toMatchObject({
        code: 'BROKER_AUTH_FAILED',
        message: "Alpaca refused the account's keys: request is not authorized",
        opts: { status: 401 },
      });
      expect(`${err.message} ${err.stack ?? ''} ${JSON.stringify(err)}`).not.toContain(secret);
    }
  });

  it('the secret is in no error message: timeouts, resets and 5xx that echo it', async () => {
    const { broker } = brokerFor(server, { timeoutMs: 100 });
    server.fault('GET', '/v2/account', { kind: 'hang' }, 3);
    server.fault(
      'POST',
      '/v2/orders',
      { kind: 'status', status: 502, body: { message: `upstream rejected key ${server.secretKey}` } },
      3,
    );
    server.fault(
      'GET',
      '/v2/orders:by_client_order_id',
      { kind: 'status', status: 500, body: { message: `bad ${server.secretKey}` } },
      3,
    );
    for (const err of [await rejection(broker.snapshot()), await rejection(broker.place(orderRequest()))]) {
      expect(err.code).toBe('BROKER_UNAVAILABLE');
      expect(err.message).not.toContain(server.secretKey);
      expect(err.message).not.toContain(server.keyId);
    }
  });

  it('429 on POST: waits Retry-After, asks for the order, then places it once', async () => {
    const { broker, waits } = brokerFor(server);
    server.fault(
      'POST',
      '/v2/orders',
      {
        kind: 'status',
        status: 429,
        body: { code: 42910000, message: 'rate limit exceeded' },
        headers: { 'Retry-After': '2' },
      },
      2,
    );
    const req = orderRequest();
    expect((await broker.place(req)).status).toBe('ACCEPTED');
    expect(waits).toEqual([2000, 2000]);
    expect(server.calls('GET', '/v2/orders:by_client_order_id')).toHaveLength(2);
    expect(server.calls('POST', '/v2/orders')).toHaveLength(3);
    expect(server.book.orders.size).toBe(1);
  });

  it('429 on GET honours Retry-After as an HTTP date and X-RateLimit-Reset without it', async () => {
    const { broker, waits } = brokerFor(server);
    const inThreeSeconds = new Date(Date.now() + 3000).toUTCString();
    server.fault('GET', '/v2/account', { kind: 'status', status: 429, headers: { 'Retry-After': inThreeSeconds } });
    server.fault('GET', '/v2/account', {
      kind: 'status',
      status: 429,
      headers: { 'X-RateLimit-Reset': String(Math.ceil(Date.now() / 1000) + 1) },
    });
    await broker.snapshot();
    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(1000);
    expect(waits[0]).toBeLessThanOrEqual(3000);
    expect(waits[1]).toBeGreaterThanOrEqual(500);
    expect(waits[1]).toBeLessThanOrEqual(2000);
  });

  it('a Retry-After beyond the retry budget is not slept: BROKER_UNAVAILABLE carries it', async () => {
    const { broker, waits } = brokerFor(server);
    server.fault('GET', '/v2/account', { kind: 'status', status: 429, headers: { 'Retry-After': '60' } });
    const err = await rejection(broker.snapshot());
    expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', retryAfterMs: 60_000 });
    expect(waits).toEqual([]);
  });

  it('5xx on GET is retried with exponential backoff, bounded', async () => {
    const { broker, waits } = brokerFor(server);
    server.fault('GET', '/v2/positions', { kind: 'status', status: 500 }, 2);
    await broker.snapshot();
    expect(waits).toEqual([250, 500]);
    server.fault('GET', '/v2/positions', { kind: 'status', status: 503 }, 5);
    const err = await rejection(broker.snapshot());
    expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', opts: { status: 503 } });
    expect(server.calls('GET', '/v2/positions')).toHaveLength(3 + 3);
  });

  it('5xx on POST is resolved by a lookup, never a blind second POST', async () => {
    const { broker } = brokerFor(server);
    server.fault('POST', '/v2/orders', { kind: 'status', status: 500 });
    const req = orderRequest();
    await broker.place(req);
    expect(server.calls('GET', '/v2/orders:by_client_order_id')).toHaveLength(1);
    expect(server.calls('POST', '/v2/orders')).toHaveLength(2);
    expect(server.book.orders.size).toBe(1);
  });

  it.each(['acceptThenHang', 'acceptThenDrop'] as const)(
    '%s: exactly one order exists and the adapter returns it',
    async (kind) => {
      const { broker } = brokerFor(server, { timeoutMs: 150 });
      server.fault('POST', '/v2/orders', { kind });
      const req = orderRequest();
      const order = await broker.place(req);
      expect(order.clientOrderId).toBe(req.clientOrderId);
      expect(order.brokerOrderId).toBe(server.order(req.clientOrderId).id);
      expect(server.book.orders.size).toBe(1);
      expect(server.calls('POST', '/v2/orders')).toHaveLength(1);
    },
  );

  it('a POST that hangs every time ends BROKER_UNAVAILABLE and uncertain', async () => {
    const { broker } = brokerFor(server, { timeoutMs: 100 });
    server.fault('POST', '/v2/orders', { kind: 'hang' }, 3);
    const err = await rejection(broker.place(orderRequest()));
    expect(err).toMatchObject({ code: 'BROKER_UNAVAILABLE', uncertain: true });
    expect(err.message).toMatch(/timed out after 100 ms/);
  });

  it('placing twice with the same client order id adopts the first order (422 duplicate)', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest();
    const first = await broker.place(req);
    const second = await broker.place(req);
    expect(second.brokerOrderId).toBe(first.brokerOrderId);
    expect(server.book.orders.size).toBe(1);
    const dup = server.requests.filter((r) => r.method === 'POST');
    expect(dup).toHaveLength(2); // the second POST met Alpaca's own uniqueness check
  });

  it('duplicate adopted even when the first order has filled since', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest();
    await broker.place(req);
    server.fill(req.clientOrderId, '187.5');
    const again = await broker.place(req);
    expect(again).toMatchObject({
      status: 'FILLED',
      filledQuantity: new Decimal(10),
      avgFillPrice: new Decimal('187.5'),
    });
  });
});

describe('AlpacaBroker: endpoints and transport', () => {
  it('PAPER → the paper URLs, LIVE → the live ones', () => {
    const cfg = {
      alpacaPaperUrl: 'https://p',
      alpacaLiveUrl: 'https://l',
      alpacaPaperStreamUrl: 'wss://p/stream',
      alpacaLiveStreamUrl: 'wss://l/stream',
    };
    expect(alpacaEndpoints(cfg, 'PAPER')).toEqual({ baseUrl: 'https://p', streamUrl: 'wss://p/stream' });
    expect(alpacaEndpoints(cfg, 'LIVE')).toEqual({ baseUrl: 'https://l', streamUrl: 'wss://l/stream' });
  });

  it('a GET that never answers times out (not uncertain: GET is safe) and is retried', async () => {
    const { broker, waits } = brokerFor(server, { timeoutMs: 100 });
    server.fault('GET', '/v2/positions', { kind: 'hang' });
    await expect(broker.snapshot()).resolves.toMatchObject({ positions: [] });
    expect(waits).toEqual([250]);
    server.fault('GET', '/v2/positions', { kind: 'hang' }, 3);
    expect(await rejection(broker.snapshot())).toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      uncertain: false,
      message: 'Alpaca GET /v2/positions timed out after 100 ms',
    });
  });

  it('a redirect is not followed: the keys never go to another host', async () => {
    const elsewhere = await startAlpacaServer();
    try {
      server.fault('GET', '/v2/account', {
        kind: 'status',
        status: 302,
        headers: { Location: `${elsewhere.url}/v2/account` },
      });
      const err = await rejection(brokerFor(server).broker.snapshot());
      expect(err).toMatchObject({ code: 'BROKER_ERROR', opts: { status: 302 } });
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });
});
