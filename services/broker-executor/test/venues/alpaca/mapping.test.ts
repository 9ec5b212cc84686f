import { Decimal } from '@utm/db';
import { mapStatus, parseAlpacaOrder, toAlpacaOrder } from '../../../src/venues/alpaca/mapping';
import { BrokerError, type BrokerOrderRequest, type BrokerOrderStatus } from '../../../src/venues/broker/types';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { brokerFor, orderRequest } from './fixtures';

const d = (v: string) => new Decimal(v);

let server: AlpacaTestServer;
beforeEach(async () => {
  server = await startAlpacaServer();
});
afterEach(() => server.close());

async function placedBody(req: BrokerOrderRequest): Promise<unknown> {
  const { broker } = brokerFor(server);
  const order = await broker.place(req);
  expect(order.clientOrderId).toBe(req.clientOrderId);
  expect(order.status).toBe('ACCEPTED');
  return server.calls('POST', '/v2/orders').at(-1)?.body;
}

describe('our order → Alpaca order JSON (as sent to the server, which validates it)', () => {
  it.each<[string, Partial<BrokerOrderRequest>, Record<string, unknown>]>([
    ['market', { type: 'MARKET' }, { type: 'market' }],
    ['limit', { type: 'LIMIT', limitPrice: d('187.25') }, { type: 'limit', limit_price: '187.25' }],
    ['stop', { type: 'STOP', side: 'SELL', stopPrice: d('180') }, { type: 'stop', stop_price: '180' }],
    [
      'stop_limit',
      { type: 'STOP_LIMIT', stopPrice: d('190'), limitPrice: d('190.5') },
      { type: 'stop_limit', stop_price: '190', limit_price: '190.5' },
    ],
    [
      'trailing stop, percent',
      { type: 'TRAILING_STOP', side: 'SELL', trailPercent: d('1.5'), timeInForce: 'GTC' },
      { type: 'trailing_stop', trail_percent: '1.5', time_in_force: 'gtc' },
    ],
    [
      'trailing stop, amount',
      { type: 'TRAILING_STOP', side: 'SELL', trailAmount: d('2.05') },
      { type: 'trailing_stop', trail_price: '2.05' },
    ],
    ['fractional qty, never exponent notation', { quantity: d('0.0000001') }, { qty: '0.0000001' }],
    ['IOC', { type: 'LIMIT', limitPrice: d('10'), timeInForce: 'IOC' }, { time_in_force: 'ioc', limit_price: '10' }],
    ['FOK', { type: 'LIMIT', limitPrice: d('10'), timeInForce: 'FOK' }, { time_in_force: 'fok', limit_price: '10' }],
  ])('%s', async (_name, overrides, expected) => {
    const req = orderRequest(overrides);
    const body = await placedBody(req);
    expect(body).toEqual(
      expect.objectContaining({
        symbol: 'AAPL',
        qty: req.quantity.toFixed(),
        side: req.side.toLowerCase(),
        time_in_force: 'day',
        client_order_id: req.clientOrderId,
        ...expected,
      }),
    );
    const keys = Object.keys(body as object);
    for (const unused of ['limit_price', 'stop_price', 'trail_percent', 'trail_price', 'order_class']) {
      if (!(unused in expected)) expect(keys).not.toContain(unused);
    }
  });

  it('bracket: order_class, take_profit.limit_price, stop_loss.stop_price; legs come back as orders', async () => {
    const req = orderRequest({
      type: 'LIMIT',
      limitPrice: d('100'),
      timeInForce: 'GTC',
      bracket: { takeProfitLimitPrice: d('110'), stopLossStopPrice: d('95') },
    });
    expect(await placedBody(req)).toEqual(
      expect.objectContaining({
        order_class: 'bracket',
        type: 'limit',
        limit_price: '100',
        take_profit: { limit_price: '110' },
        stop_loss: { stop_price: '95' },
      }),
    );
    const found = await brokerFor(server).broker.findByClientOrderId(req.clientOrderId);
    expect(found?.legs).toHaveLength(2);
    expect(found?.legs.map((l) => l.status)).toEqual(['ACCEPTED', 'ACCEPTED']); // "held" legs are live
  });

  it('oco: order_class oco, type limit, no top-level limit_price (the documented shape)', async () => {
    const req = orderRequest({
      side: 'SELL',
      type: 'LIMIT',
      limitPrice: d('110'),
      timeInForce: 'GTC',
      oco: { takeProfitLimitPrice: d('110'), stopLossStopPrice: d('95') },
    });
    const body = await placedBody(req);
    expect(body).toEqual({
      symbol: 'AAPL',
      qty: '10',
      side: 'sell',
      type: 'limit',
      time_in_force: 'gtc',
      client_order_id: req.clientOrderId,
      order_class: 'oco',
      take_profit: { limit_price: '110' },
      stop_loss: { stop_price: '95' },
    });
  });

  it.each([
    ['take profit', { takeProfitLimitPrice: d('110') }, { take_profit: { limit_price: '110' } }, 'limit'],
    ['stop loss', { stopLossStopPrice: d('95') }, { stop_loss: { stop_price: '95' } }, 'stop'],
  ] as const)(
    'oto with a %s: order_class oto and that one exit; its leg waits for the entry, then works',
    async (_name, oto, exit, legType) => {
      const req = orderRequest({ type: 'LIMIT', limitPrice: d('100'), timeInForce: 'GTC', oto });
      const body = await placedBody(req);
      expect(body).toEqual(expect.objectContaining({ order_class: 'oto', type: 'limit', limit_price: '100', ...exit }));
      expect(Object.keys(body as object).filter((k) => k === 'take_profit' || k === 'stop_loss')).toHaveLength(1);
      const parent = server.order(req.clientOrderId);
      expect(parent.legIds).toHaveLength(1);
      const leg = server.order(parent.legIds[0] ?? '');
      expect([leg.type, leg.side, leg.status]).toEqual([legType, 'sell', 'held']);
      server.fill(parent.id, '100');
      expect(server.order(leg.id).status).toBe('new');
      const found = await brokerFor(server).broker.findByClientOrderId(req.clientOrderId);
      expect(found?.legs.map((l) => l.status)).toEqual(['ACCEPTED']);
    },
  );

  it.each<[string, Partial<BrokerOrderRequest>]>([
    ['LIMIT without a price', { type: 'LIMIT' }],
    ['STOP_LIMIT without a stop', { type: 'STOP_LIMIT', limitPrice: d('1') }],
    ['TRAILING_STOP with both trails', { type: 'TRAILING_STOP', trailPercent: d('1'), trailAmount: d('1') }],
    [
      'an OCO that is not LIMIT',
      { type: 'STOP', stopPrice: d('1'), oco: { takeProfitLimitPrice: d('2'), stopLossStopPrice: d('1') } },
    ],
    [
      'an OTO that is also a bracket',
      { bracket: { takeProfitLimitPrice: d('2'), stopLossStopPrice: d('1') }, oto: { stopLossStopPrice: d('1') } },
    ],
    ['a client order id over 48 characters', { clientOrderId: 'x'.repeat(49) }],
    ['a zero quantity', { quantity: d('0') }],
  ])('refuses %s before sending (BROKER_ERROR)', (_name, overrides) => {
    expect(() => toAlpacaOrder(orderRequest(overrides))).toThrow(BrokerError);
  });
});

describe('Alpaca status → ours', () => {
  const table: [string, BrokerOrderStatus, BrokerOrderStatus][] = [
    // [Alpaca status, with nothing filled, with part filled]
    ['new', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['accepted', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['pending_new', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['accepted_for_bidding', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['held', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['stopped', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['suspended', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['pending_cancel', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['pending_replace', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['done_for_day', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['replaced', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['calculated', 'ACCEPTED', 'PARTIALLY_FILLED'],
    ['partially_filled', 'PARTIALLY_FILLED', 'PARTIALLY_FILLED'],
    ['filled', 'FILLED', 'FILLED'],
    ['canceled', 'CANCELLED', 'CANCELLED'],
    ['expired', 'EXPIRED', 'EXPIRED'],
    ['rejected', 'REJECTED', 'REJECTED'],
    ['some_future_status', 'ACCEPTED', 'PARTIALLY_FILLED'],
  ];

  it.each(table)(
    '%s → %s (nothing filled) / %s (part filled), read back from the server',
    async (status, none, part) => {
      const { broker } = brokerFor(server);
      const a = orderRequest();
      const b = orderRequest();
      await broker.place(a);
      await broker.place(b);
      server.fill(b.clientOrderId, '100', '4');
      server.setStatus(a.clientOrderId, status);
      server.setStatus(b.clientOrderId, status);
      expect((await broker.findByClientOrderId(a.clientOrderId))?.status).toBe(none);
      expect((await broker.findByClientOrderId(b.clientOrderId))?.status).toBe(part);
    },
  );

  it('calculated with the whole quantity filled is FILLED', () => {
    expect(mapStatus({ status: 'calculated', qty: d('10'), filledQty: d('10') })).toBe('FILLED');
  });

  it('reads filled_qty and filled_avg_price as exact decimals, legs recursively', () => {
    const order = parseAlpacaOrder({
      id: 'p',
      client_order_id: 'c',
      status: 'partially_filled',
      qty: '3',
      filled_qty: '0.123456789',
      filled_avg_price: '100.10000000000000000001',
      order_class: 'bracket',
      legs: [{ id: 'l', client_order_id: 'lc', status: 'held', filled_qty: '0', filled_avg_price: null, legs: null }],
    });
    expect(order.filledQty.toFixed()).toBe('0.123456789');
    expect(order.filledAvgPrice?.toFixed()).toBe('100.10000000000000000001');
    expect(order.legs[0]?.id).toBe('l');
  });

  it('a malformed order body is BROKER_UNAVAILABLE and uncertain, not a refusal', () => {
    const err = (() => {
      try {
        parseAlpacaOrder({ id: 'x', status: 'new' });
      } catch (e) {
        return e as BrokerError;
      }
      return null;
    })();
    expect(err?.code).toBe('BROKER_UNAVAILABLE');
    expect(err?.uncertain).toBe(true);
  });
});
