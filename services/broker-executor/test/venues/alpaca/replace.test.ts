import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import type { BrokerReplaceRequest } from '../../../src/venues/broker/types';
import { brokerFor, eventually, orderRequest, rejection } from './fixtures';

let server: AlpacaTestServer;
beforeEach(async () => {
  server = await startAlpacaServer();
});
afterEach(() => server.close());

const replaceRequest = (overrides: Partial<BrokerReplaceRequest> = {}): BrokerReplaceRequest => ({
  clientOrderId: randomUUID(),
  quantity: null,
  limitPrice: null,
  stopPrice: null,
  ...overrides,
});

/** A working sell stop for 2, as an exit leg is. */
async function workingStop(symbol = 'AAPL') {
  const { broker } = brokerFor(server);
  const req = orderRequest({
    symbol,
    side: 'SELL',
    type: 'STOP',
    stopPrice: new Decimal('95'),
    quantity: new Decimal('2'),
    timeInForce: 'GTC',
  });
  const placed = await broker.place(req);
  return { broker, req, placed };
}

describe('AlpacaBroker.replace (PATCH /v2/orders/{id}) against the contract server', () => {
  it('returns the NEW order under our client order id; the old one is replaced, and the stream says so, old order first', async () => {
    const { broker, req, placed } = await workingStop();
    const r = replaceRequest({ quantity: new Decimal('4'), stopPrice: new Decimal('95.5') });
    const result = await broker.replace(placed.brokerOrderId, r);
    expect(result).toMatchObject({
      clientOrderId: r.clientOrderId,
      status: 'ACCEPTED',
      filledQuantity: new Decimal(0),
    });
    expect(result.brokerOrderId).not.toBe(placed.brokerOrderId);
    const [patch] = server.calls('PATCH', `/v2/orders/${placed.brokerOrderId}`);
    expect(patch?.body).toEqual({ client_order_id: r.clientOrderId, qty: '4', stop_price: '95.5' });
    expect(server.book.toJson(server.order(r.clientOrderId), false)).toMatchObject({
      qty: '4',
      stop_price: '95.5',
      type: 'stop',
      side: 'sell',
      time_in_force: 'gtc',
      replaces: placed.brokerOrderId,
    });
    expect(server.order(req.clientOrderId)).toMatchObject({ status: 'replaced', replaced_by: result.brokerOrderId });
    expect(await broker.findByClientOrderId(req.clientOrderId)).toMatchObject({
      status: 'ACCEPTED',
      replacedBy: result.brokerOrderId,
    });
    expect(
      server.events.slice(-2).map((e) => [e.event, (e.order as { client_order_id: string }).client_order_id]),
    ).toEqual([
      ['replaced', req.clientOrderId],
      ['new', r.clientOrderId],
    ]);
  });

  it('an order that filled meanwhile cannot be replaced: BROKER_ERROR 422, and no new order exists', async () => {
    const { broker, req, placed } = await workingStop();
    server.fill(req.clientOrderId, '95');
    const r = replaceRequest({ quantity: new Decimal('4') });
    expect(await rejection(broker.replace(placed.brokerOrderId, r))).toMatchObject({
      code: 'BROKER_ERROR',
      opts: { status: 422 },
    });
    expect(server.book.byClientId(r.clientOrderId)).toBeUndefined();
    // A cancelled one neither; a replaced one says so in Alpaca's words.
    const other = await workingStop('MSFT');
    await other.broker.cancel(other.req.clientOrderId);
    await eventually(() => server.order(other.req.clientOrderId).status === 'canceled'); // cancels are asynchronous
    expect(
      await rejection(broker.replace(other.placed.brokerOrderId, replaceRequest({ quantity: new Decimal('4') }))),
    ).toMatchObject({ code: 'BROKER_ERROR' });
  });

  it('an order that cannot be replaced yet (pending_replace, accepted, …) is BROKER_UNAVAILABLE: try again later', async () => {
    const { req, placed } = await workingStop();
    server.setStatus(req.clientOrderId, 'pending_replace');
    const { broker } = brokerFor(server, { retry: { attempts: 1 } });
    expect(
      await rejection(broker.replace(placed.brokerOrderId, replaceRequest({ quantity: new Decimal('4') }))),
    ).toMatchObject({ code: 'BROKER_UNAVAILABLE', opts: { status: 422 } });
  });

  it('a timeout after Alpaca accepted the replace: found by our client order id and adopted, one PATCH, one new order', async () => {
    const { placed } = await workingStop();
    const { broker } = brokerFor(server, { timeoutMs: 300 });
    server.fault('PATCH', `/v2/orders/${placed.brokerOrderId}`, { kind: 'acceptThenHang' });
    const r = replaceRequest({ quantity: new Decimal('3') });
    const result = await broker.replace(placed.brokerOrderId, r);
    expect(result).toMatchObject({ clientOrderId: r.clientOrderId, status: 'ACCEPTED' });
    expect(server.calls('PATCH', /^\/v2\/orders\//)).toHaveLength(1);
    expect([...server.book.orders.values()].filter((o) => o.client_order_id === r.clientOrderId)).toHaveLength(1);
  });

  it("what Alpaca documents it does not replace is refused: an OCO leg's qty, nothing changed, a fractional qty (never sent)", async () => {
    const { broker } = brokerFor(server);
    const oco = orderRequest({
      side: 'SELL',
      type: 'LIMIT',
      limitPrice: new Decimal('105'),
      quantity: new Decimal('2'),
      timeInForce: 'GTC',
      oco: { takeProfitLimitPrice: new Decimal('105'), stopLossStopPrice: new Decimal('95') },
    });
    const placed = await broker.place(oco);
    expect(
      await rejection(broker.replace(placed.brokerOrderId, replaceRequest({ quantity: new Decimal('4') }))),
    ).toMatchObject({ code: 'BROKER_ERROR', opts: { status: 422 } });
    // Its price can be (docs: "supported to update limit_price and stop_price").
    const price = await broker.replace(placed.brokerOrderId, replaceRequest({ limitPrice: new Decimal('106') }));
    expect(server.book.toJson(server.order(price.clientOrderId), true)).toMatchObject({
      limit_price: '106',
      order_class: 'oco',
      legs: [{ type: 'stop', stop_price: '95' }],
    });
    const stop = await workingStop('MSFT');
    expect(
      (await rejection(broker.replace(stop.placed.brokerOrderId, replaceRequest({ quantity: new Decimal('2') }))))
        .message,
    ).toBe('order parameters are not changed');
    const before = server.calls('PATCH', /^\/v2\/orders\//).length;
    expect(
      await rejection(broker.replace(stop.placed.brokerOrderId, replaceRequest({ quantity: new Decimal('2.5') }))),
    ).toMatchObject({ code: 'BROKER_ERROR', message: 'Alpaca replaces only whole-share quantities' });
    expect(server.calls('PATCH', /^\/v2\/orders\//)).toHaveLength(before);
  });

  it("a replacement on its way when the old order fills is rejected (the docs' race), with its events", async () => {
    const { broker, req, placed } = await workingStop();
    server.holdReplacements = true;
    const r = replaceRequest({ quantity: new Decimal('4') });
    expect(await broker.replace(placed.brokerOrderId, r)).toMatchObject({ status: 'ACCEPTED' }); // pending_new: on its way
    expect(server.order(req.clientOrderId).status).toBe('pending_replace');
    server.fill(req.clientOrderId, '95');
    expect(server.order(r.clientOrderId).status).toBe('rejected');
    expect(server.events.slice(-3).map((e) => e.event)).toEqual(['pending_replace', 'fill', 'rejected']);
    expect((await broker.findByClientOrderId(r.clientOrderId))?.status).toBe('REJECTED');
  });

  it('an OCO take profit that fills in part leaves its stop loss at what it has left (documented, done by Alpaca)', async () => {
    const { broker } = brokerFor(server);
    const oco = orderRequest({
      side: 'SELL',
      type: 'LIMIT',
      limitPrice: new Decimal('105'),
      quantity: new Decimal('4'),
      timeInForce: 'GTC',
      oco: { takeProfitLimitPrice: new Decimal('105'), stopLossStopPrice: new Decimal('95') },
    });
    await broker.place(oco);
    server.fill(oco.clientOrderId, '105', '1');
    const stopLeg = server.order(server.order(oco.clientOrderId).legIds[0] ?? '');
    expect(stopLeg.qty.toFixed()).toBe('3');
  });
});
