import { Decimal } from '@utm/db';
import { AlpacaBroker, AlpacaUpdates } from '../../src/brokers/alpaca';
import type { ExecAccount } from '../../src/repositories/accounts';
import type { BrokerConnection } from '../../src/worker/create-executor';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { Stack } from '../support/stack';

/**
 * The executor against a local server speaking Alpaca's documented contract: placement
 * with our id as client_order_id, fills through the trade_updates stream, refusals,
 * timeouts after acceptance, exit legs managed by the executor, reconciliation.
 */
describe('broker-executor with an Alpaca account', () => {
  let server: AlpacaTestServer;
  const connect = (_account: ExecAccount): BrokerConnection => {
    const common = { baseUrl: server.url, credentials: { keyId: server.keyId, secretKey: server.secretKey }, timeoutMs: 700 };
    return { broker: new AlpacaBroker({ ...common, sleep: async () => undefined }), updates: new AlpacaUpdates({ ...common, streamUrl: server.streamUrl, pollIntervalMs: 200 }) };
  };
  const s = new Stack({ brokerFor: (a) => connect(a) });

  beforeAll(async () => {
    server = await startAlpacaServer();
    await s.start();
  });
  afterAll(async () => {
    await s.stop();
    await server.close();
  });

  const alpacaAccount = () => s.fixture({ broker: 'alpaca', cash: '100000' });

  it('places with our order id as client_order_id; a fill on the stream makes the order and signal FILLED', async () => {
    const f = await alpacaAccount();
    await s.quote('AAPL', '150');
    const id = await s.send(f, { action: 'openLong', quantity: 10 });
    const submitted = await s.until(id, ['SUBMITTED']);
    const [order] = submitted.orders;
    const atBroker = server.order(order?.id ?? '');
    expect(atBroker.client_order_id).toBe(order?.id);
    expect(order?.brokerOrderId).toBe(atBroker.id);
    const auth = server.calls('POST', '/v2/orders')[0]?.headers;
    expect(auth?.['apca-api-key-id']).toBe(server.keyId);

    server.fill(atBroker.id, '150.5');
    const filled = await s.until(id, ['FILLED']);
    expect(filled.orders[0]?.avgFillPrice?.toFixed()).toBe('150.5');
    expect(await s.account(f.accountId)).toEqual({ cash: '98495', positions: { AAPL: { quantity: '10', avgPrice: '150.5' } } });
  });

  it('a refusal (insufficient buying power) is final: order REJECTED, signal FAILED with Alpaca\'s words', async () => {
    const f = await alpacaAccount();
    await s.quote('REFUSE', '10');
    server.fault('POST', '/v2/orders', { kind: 'status', status: 403, body: { code: 40310000, message: 'insufficient buying power' } });
    const id = await s.send(f, { symbol: 'REFUSE', action: 'openLong', quantity: 1 });
    const failed = await s.until(id, ['FAILED']);
    expect(failed).toMatchObject({ errorCode: 'BROKER_ERROR', errorMessage: 'insufficient buying power' });
    expect(failed.orders[0]).toMatchObject({ status: 'REJECTED', errorCode: 'BROKER_ERROR' });
  });

  it('a timeout after Alpaca accepted the order: it is found by client_order_id and adopted, never placed twice', async () => {
    const f = await alpacaAccount();
    await s.quote('HANG', '20');
    server.fault('POST', '/v2/orders', { kind: 'acceptThenHang' });
    const id = await s.send(f, { symbol: 'HANG', action: 'openLong', quantity: 3 });
    const submitted = await s.until(id, ['SUBMITTED']);
    const orderId = submitted.orders[0]?.id ?? '';
    expect([...server.book.orders.values()].filter((o) => o.client_order_id === orderId)).toHaveLength(1);
    expect(submitted.orders[0]?.brokerOrderId).toBe(server.order(orderId).id);
  });

  it('exit legs are placed at Alpaca when the entry fills; one filling cancels the other there', async () => {
    const f = await alpacaAccount();
    await s.quote('LEGS', '100');
    const id = await s.send(f, { symbol: 'LEGS', action: 'openLong', quantity: 4, exitRules: { stopLoss: { type: 'PERCENT', value: 5 }, takeProfit: { type: 'PERCENT', value: 5 } } });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '100');
    await s.until(id, ['FILLED']);
    const legs = await s.waitFor(
      'legs at the broker',
      () => s.db.prisma.order.findMany({ where: { signalId: id, role: { in: ['STOP_LOSS', 'TAKE_PROFIT'] } }, orderBy: { seq: 'asc' } }),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED'),
    );
    const [stop, target] = legs;
    const wire = (ref: string) => server.book.toJson(server.order(ref), false);
    expect(wire(stop?.id ?? '')).toMatchObject({ type: 'stop', side: 'sell', stop_price: '95', qty: '4', time_in_force: 'gtc' });
    expect(wire(target?.id ?? '')).toMatchObject({ type: 'limit', side: 'sell', limit_price: '105', qty: '4', time_in_force: 'gtc' });

    server.fill(server.order(target?.id ?? '').id, '105.2');
    await s.waitFor('stop cancelled at the broker', async () => server.order(stop?.id ?? '').status, (st) => st === 'canceled');
    const after = await s.waitFor(
      'legs settled',
      () => s.db.prisma.order.findMany({ where: { id: { in: [stop?.id ?? '', target?.id ?? ''] } }, orderBy: { seq: 'asc' } }),
      (l) => l.every((x) => x.status === 'FILLED' || x.status === 'CANCELLED'),
    );
    expect(after.map((l) => [l.role, l.status])).toEqual([
      ['STOP_LOSS', 'CANCELLED'],
      ['TAKE_PROFIT', 'FILLED'],
    ]);
    expect((await s.account(f.accountId)).positions.LEGS).toBeUndefined();
  });

  it('reconciliation corrects drift the stream missed, and records it', async () => {
    const f = await alpacaAccount();
    await s.quote('DRIFT', '30');
    const id = await s.send(f, { symbol: 'DRIFT', action: 'openLong', quantity: 2 });
    const submitted = await s.until(id, ['SUBMITTED']);
    const orderId = submitted.orders[0]?.id ?? '';
    server.book.fill(server.order(orderId).id, new Decimal('30.1')); // filled, but no event is sent
    expect((await s.signal(id)).status).toBe('SUBMITTED');
    expect(await s.executor.reconcileNow()).toBeGreaterThanOrEqual(1);
    const filled = await s.until(id, ['FILLED']);
    expect(filled.events.some((e) => e.type === 'RECONCILED' && /ACCEPTED → FILLED/.test(e.message))).toBe(true);
  });
});
