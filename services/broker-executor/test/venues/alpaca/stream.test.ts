import { Decimal } from '@utm/db';
import { AlpacaUpdates, type AlpacaUpdatesOptions } from '../../../src/venues/alpaca/stream';
import type { BrokerOrderUpdate } from '../../../src/venues/broker/types';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { brokerFor, eventually, orderRequest } from './fixtures';

let server: AlpacaTestServer;
let updates: AlpacaUpdates | null = null;
let seen: BrokerOrderUpdate[];
let errors: Error[];

beforeEach(async () => {
  server = await startAlpacaServer();
  seen = [];
  errors = [];
});
afterEach(async () => {
  await updates?.stop();
  updates = null;
  await server.close();
});

async function startUpdates(overrides: Partial<AlpacaUpdatesOptions> = {}): Promise<AlpacaUpdates> {
  updates = new AlpacaUpdates({
    baseUrl: server.url,
    streamUrl: server.streamUrl,
    credentials: { keyId: server.keyId, secretKey: server.secretKey },
    timeoutMs: 1000,
    pollIntervalMs: 40,
    reconnectMinMs: 20,
    reconnectMaxMs: 80,
    heartbeatMs: 1000,
    ...overrides,
  });
  updates.onUpdate((u) => seen.push(u));
  updates.onError((e) => errors.push(e));
  await updates.start();
  return updates;
}

const fillsOf = (clientOrderId: string) =>
  seen.filter((u) => u.order.clientOrderId === clientOrderId && u.fill).map((u) => u.fill);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('AlpacaUpdates: the trade_updates stream', () => {
  it('authenticates, listens to trade_updates, and reports streaming', async () => {
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    expect(u.connected).toBe(true);
    expect(server.stream.received).toEqual([
      { action: 'auth', key: server.keyId, secret: server.secretKey },
      { action: 'listen', data: { streams: ['trade_updates'] } },
    ]);
  });

  it('an endpoint that takes only the older {"action":"authenticate"} shape: the second shape gets in on the same connection', async () => {
    server.stream.authShapes = new Set(['authenticate']);
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    expect(server.stream.connections).toBe(1);
    expect(server.stream.received).toEqual([
      { action: 'auth', key: server.keyId, secret: server.secretKey },
      { action: 'authenticate', data: { key_id: server.keyId, secret_key: server.secretKey } },
      { action: 'listen', data: { streams: ['trade_updates'] } },
    ]);
    expect(errors).toEqual([]);
  });

  it('an endpoint that takes only {"action":"auth"}: no second message is needed', async () => {
    server.stream.authShapes = new Set(['auth']);
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    expect(server.stream.received.map((m) => m.action)).toEqual(['auth', 'listen']);
  });

  it.each(['binary', 'text'] as const)(
    'new, partial_fill and fill events become updates with execution ids (%s frames)',
    async (frames) => {
      server.stream.frames = frames;
      const u = await startUpdates();
      await eventually(() => u.state === 'streaming');
      const req = orderRequest();
      await brokerFor(server).broker.place(req);
      const first = server.fill(req.clientOrderId, '100', '4');
      const firstAt = String(server.lastEvent?.timestamp);
      const second = server.fill(req.clientOrderId, '101');
      await eventually(() => fillsOf(req.clientOrderId).length === 2);
      expect(seen.map((s) => [s.order.status, s.fill?.id ?? null])).toEqual([
        ['ACCEPTED', null],
        ['PARTIALLY_FILLED', first],
        ['FILLED', second],
      ]);
      expect(fillsOf(req.clientOrderId)).toEqual([
        { id: first, quantity: new Decimal(4), price: new Decimal(100), at: new Date(firstAt) },
        expect.objectContaining({ id: second, quantity: new Decimal(6), price: new Decimal(101) }),
      ]);
      expect(seen[2]?.order.avgFillPrice).toEqual(new Decimal('100.6'));
    },
  );

  it('a replayed event (same execution id) is reported once', async () => {
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    const req = orderRequest();
    await brokerFor(server).broker.place(req);
    server.fill(req.clientOrderId, '100', '4');
    const replay = server.lastEvent;
    if (!replay) throw new Error('no event sent');
    server.emit(replay);
    server.emit(replay);
    server.setStatus(req.clientOrderId, 'pending_cancel'); // a later event still gets through
    await eventually(() => seen.length === 3);
    await sleep(50);
    expect(fillsOf(req.clientOrderId)).toHaveLength(1);
    expect(seen).toHaveLength(3);
  });

  it('a fill whose event was lost is still reported when a later event shows it', async () => {
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal(100) });
    await brokerFor(server).broker.place(req);
    server.book.fill(req.clientOrderId, new Decimal('99'), new Decimal('2')); // no event sent
    server.setStatus(req.clientOrderId, 'canceled');
    await eventually(() => seen.length === 2);
    expect(seen[1]).toMatchObject({
      order: { status: 'CANCELLED', filledQuantity: new Decimal(2) },
      fill: { quantity: new Decimal(2), price: new Decimal(99) },
    });
  });

  it('orders as they were at start are not reported; their later changes are', async () => {
    const req = orderRequest();
    await brokerFor(server).broker.place(req);
    server.fill(req.clientOrderId, '100', '4');
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    await sleep(50);
    expect(seen).toEqual([]);
    const exec = server.fill(req.clientOrderId, '100');
    await eventually(() => seen.length === 1);
    expect(seen[0]?.fill).toMatchObject({ id: exec, quantity: new Decimal(6) });
  });

  it('reconnects after the socket drops', async () => {
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    server.stream.drop();
    await eventually(() => u.state !== 'streaming');
    await eventually(() => u.state === 'streaming');
    expect(server.stream.connections).toBe(2);
    expect(server.stream.listeners).toBe(1);
  });

  it('while the stream is down, polling reports each change once; the stream takes over again', async () => {
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    const { broker } = brokerFor(server);
    const before = orderRequest({ type: 'LIMIT', limitPrice: new Decimal(100) });
    await broker.place(before);
    await eventually(() => seen.length === 1);

    server.stream.accepting = false;
    server.stream.drop();
    await eventually(() => u.state === 'polling');
    // Placed and filled while nothing streams (in one go, so no poll can see it in between).
    const during = orderRequest();
    server.book.create(
      {
        symbol: 'AAPL',
        qty: '10',
        side: 'buy',
        type: 'market',
        time_in_force: 'day',
        client_order_id: during.clientOrderId,
      },
      'new',
      server.ctx,
    );
    server.fill(during.clientOrderId, '50');
    server.fill(before.clientOrderId, '99.5', '3');
    server.fill(before.clientOrderId, '99', '7'); // two executions between polls: one update
    await eventually(() => fillsOf(during.clientOrderId).length === 1 && fillsOf(before.clientOrderId).length === 1);
    await sleep(200); // several more polls: nothing new to say
    expect(fillsOf(during.clientOrderId)).toEqual([
      {
        id: `${server.order(during.clientOrderId).id}:10`,
        quantity: new Decimal(10),
        price: new Decimal(50),
        at: expect.any(Date),
      },
    ]);
    expect(fillsOf(before.clientOrderId)).toEqual([
      expect.objectContaining({ quantity: new Decimal(10), price: new Decimal('99.15') }),
    ]);
    expect(seen.filter((s) => s.order.clientOrderId === before.clientOrderId).map((s) => s.order.status)).toEqual([
      'ACCEPTED',
      'FILLED',
    ]);
    expect(seen.filter((s) => s.order.clientOrderId === during.clientOrderId).map((s) => s.order.status)).toEqual([
      'FILLED',
    ]);
    expect(server.calls('GET', '/v2/orders').some((r) => r.query.get('status') === 'all' && r.query.get('after'))).toBe(
      true,
    );

    const count = seen.length;
    server.stream.accepting = true;
    await eventually(() => u.state === 'streaming');
    await sleep(100); // the catch-up poll runs: still nothing new
    expect(seen).toHaveLength(count);
    const next = orderRequest();
    await broker.place(next);
    const exec = server.fill(next.clientOrderId, '10');
    await eventually(() => fillsOf(next.clientOrderId).length === 1);
    expect(fillsOf(next.clientOrderId)[0]?.id).toBe(exec);
  });

  it('an order that finished while down and was placed before it is found by id', async () => {
    const u = await startUpdates({ pollLookbackMs: 0 });
    await eventually(() => u.state === 'streaming');
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal(1) });
    await brokerFor(server).broker.place(req);
    await eventually(() => seen.length === 1);
    await sleep(20); // the disconnect comes strictly after the order was submitted
    server.stream.accepting = false;
    server.stream.drop();
    await eventually(() => u.state === 'polling');
    server.book.setStatus(server.order(req.clientOrderId), 'canceled'); // no event: the stream is down
    await eventually(() => seen.length === 2);
    expect(seen[1]?.order.status).toBe('CANCELLED');
    expect(server.calls('GET', `/v2/orders/${server.order(req.clientOrderId).id}`).length).toBeGreaterThan(0);
  });

  it('wrong keys: the stream is refused, the error is reported without the secret, polling goes on', async () => {
    const secret = 'not-the-secret-abcdef0123456789';
    const u = await startUpdates({ credentials: { keyId: server.keyId, secretKey: secret } });
    await eventually(() => errors.some((e) => /authorization unauthorized/.test(e.message)));
    expect(u.connected).toBe(false);
    // Both shapes were tried before the refusal was reported.
    expect(server.stream.received.slice(0, 2).map((m) => m.action)).toEqual(['auth', 'authenticate']);
    await eventually(() => errors.some((e) => /request is not authorized/.test(e.message)));
    for (const e of errors) expect(e.message).not.toContain(secret);
  });

  it('stop() closes the socket and stops polling', async () => {
    const u = await startUpdates();
    await eventually(() => u.state === 'streaming');
    await u.stop();
    expect(u.state).toBe('stopped');
    const calls = server.requests.length;
    await eventually(() => server.stream.listeners === 0);
    await sleep(150);
    expect(server.requests.length).toBe(calls);
  });
});
