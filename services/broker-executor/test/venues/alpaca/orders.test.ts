import { Decimal } from '@utm/db';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { brokerFor, eventually, orderRequest, rejection } from './fixtures';

let server: AlpacaTestServer;
beforeEach(async () => {
  server = await startAlpacaServer();
});
afterEach(() => server.close());

describe('AlpacaBroker: reading and cancelling', () => {
  it('findByClientOrderId: null for an unknown id (404), the order otherwise', async () => {
    const { broker } = brokerFor(server);
    expect(await broker.findByClientOrderId('f0e1d2c3-0000-4000-8000-000000000000')).toBeNull();
    const req = orderRequest();
    await broker.place(req);
    server.fill(req.clientOrderId, '100.01', '2.5');
    expect(await broker.findByClientOrderId(req.clientOrderId)).toMatchObject({
      status: 'PARTIALLY_FILLED',
      filledQuantity: new Decimal('2.5'),
      avgFillPrice: new Decimal('100.01'),
    });
  });

  it('cancel: looks the order up, DELETEs by Alpaca id; pending_cancel, then CANCELLED', async () => {
    const { broker } = brokerFor(server);
    server.pendingCancelMs = 100;
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal('1') });
    await broker.place(req);
    await broker.cancel(req.clientOrderId);
    expect(server.calls('DELETE', `/v2/orders/${server.order(req.clientOrderId).id}`)).toHaveLength(1);
    // Asynchronous at Alpaca: the order may still fill until the cancel is final.
    expect(await broker.findByClientOrderId(req.clientOrderId)).toMatchObject({
      status: 'ACCEPTED',
      pendingCancel: true,
    });
    await broker.cancel(req.clientOrderId); // again while pending: nothing more to send
    await eventually(() => server.order(req.clientOrderId).status === 'canceled');
    expect(await broker.findByClientOrderId(req.clientOrderId)).toMatchObject({
      status: 'CANCELLED',
      pendingCancel: false,
    });
    await broker.cancel(req.clientOrderId); // again: already canceled, resolves without a DELETE
    expect(server.calls('DELETE', /^\/v2\/orders\//)).toHaveLength(1);
  });

  it('cancel of a filled order resolves (nothing to cancel); of an unknown one is BROKER_ERROR 404', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest();
    await broker.place(req);
    server.fill(req.clientOrderId, '10');
    await expect(broker.cancel(req.clientOrderId)).resolves.toBeUndefined();
    expect(await rejection(broker.cancel('not-an-order'))).toMatchObject({
      code: 'BROKER_ERROR',
      opts: { status: 404 },
    });
  });

  it('cancel answered 422 "not cancelable" while pending_replace is BROKER_UNAVAILABLE', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal('1') });
    await broker.place(req);
    server.setStatus(req.clientOrderId, 'pending_replace');
    expect(await rejection(broker.cancel(req.clientOrderId))).toMatchObject({
      code: 'BROKER_UNAVAILABLE',
      opts: { status: 422 },
    });
  });

  it('cancel of an order Alpaca replaced cancels its replacement', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest({ type: 'LIMIT', limitPrice: new Decimal('1') });
    await broker.place(req);
    const replacement = server.book.replace(req.clientOrderId);
    expect(await broker.findByClientOrderId(req.clientOrderId)).toMatchObject({
      status: 'ACCEPTED',
      reason: `replaced by Alpaca order ${replacement.id}`,
    });
    await broker.cancel(req.clientOrderId);
    await eventually(() => replacement.status === 'canceled');
  });

  it('cancel of a filled bracket entry cancels its open legs', async () => {
    const { broker } = brokerFor(server);
    const req = orderRequest({
      timeInForce: 'GTC',
      bracket: { takeProfitLimitPrice: new Decimal(120), stopLossStopPrice: new Decimal(90) },
    });
    await broker.place(req);
    server.fill(req.clientOrderId, '100');
    await broker.cancel(req.clientOrderId);
    const legs = server.order(req.clientOrderId).legIds.map((id) => server.order(id));
    await eventually(() => legs.every((l) => l.status === 'canceled'));
    const found = await broker.findByClientOrderId(req.clientOrderId);
    expect(found?.status).toBe('FILLED');
    expect(found?.legs.map((l) => l.status)).toEqual(['CANCELLED', 'CANCELLED']);
  });

  it('openOrders: open ones only, nested legs included', async () => {
    const { broker } = brokerFor(server);
    const bracket = orderRequest({
      type: 'LIMIT',
      limitPrice: new Decimal(100),
      timeInForce: 'GTC',
      bracket: { takeProfitLimitPrice: new Decimal(110), stopLossStopPrice: new Decimal(95) },
    });
    const filled = orderRequest();
    await broker.place(bracket);
    await broker.place(filled);
    server.fill(filled.clientOrderId, '50');
    const open = await broker.openOrders();
    expect(open.map((o) => o.clientOrderId)).toEqual([bracket.clientOrderId]);
    expect(open[0]?.legs).toHaveLength(2);
    expect(server.calls('GET', '/v2/orders')[0]?.query.get('nested')).toBe('true');
  });

  it.each([false, true])(
    'snapshot: cash, positions with a short negative (unsigned qty on the wire: %s)',
    async (unsigned) => {
      server.cash = '25000.55';
      server.book.unsignedShortQty = unsigned;
      server.setPosition('AAPL', '10', '187.25');
      server.setPosition('TSLA', '-3', '250.1');
      const snap = await brokerFor(server).broker.snapshot();
      expect(snap.cash).toEqual(new Decimal('25000.55'));
      expect(snap.positions).toEqual([
        { symbol: 'AAPL', quantity: new Decimal(10), avgPrice: new Decimal('187.25') },
        { symbol: 'TSLA', quantity: new Decimal(-3), avgPrice: new Decimal('250.1') },
      ]);
    },
  );
});
