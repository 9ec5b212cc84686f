import { JOBS } from '@utm/contracts';
import { Decimal } from '@utm/db';
import type { ExecAccount } from '../../src/repositories/accounts';
import type { BrokerVenue } from '../../src/venues/broker/broker-venue';
import type { BrokerConnection } from '../../src/worker/create-executor';
import type { AlpacaTestServer } from '@utm/testkit';
import { alpacaConnection, aroundAlpacaStack } from '../support/alpaca';
import { Stack } from '../support/stack';

/**
 * The executor against a local server speaking Alpaca's documented contract: placement
 * with our id as client_order_id, fills through the trade_updates stream, refusals,
 * timeouts after acceptance, exit legs managed by the executor, reconciliation.
 */
describe('broker-executor with an Alpaca account', () => {
  let server: AlpacaTestServer;
  const unreadable = new Set<string>();
  const connect = (account: ExecAccount): BrokerConnection => {
    // What main's brokerFor does when the credentials cannot be decrypted.
    if (unreadable.has(account.id))
      throw new Error('the stored credentials cannot be decrypted with this UTM_ENCRYPTION_KEY');
    return alpacaConnection(server);
  };
  // One batch in flight: a job that waited behind another account's broker call would show.
  const s = new Stack({ brokerFor: (a) => connect(a), executorBatches: 1 });
  aroundAlpacaStack(s, (started) => (server = started));

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
    expect(await s.account(f.accountId)).toEqual({
      cash: '98495',
      positions: { AAPL: { quantity: '10', avgPrice: '150.5' } },
    });
  });

  it("a refusal (insufficient buying power) is final: order REJECTED, signal FAILED with its code and Alpaca's words", async () => {
    const f = await alpacaAccount();
    await s.quote('REFUSE', '10');
    server.fault('POST', '/v2/orders', {
      kind: 'status',
      status: 403,
      body: { code: 40310000, message: 'insufficient buying power' },
    });
    const id = await s.send(f, { symbol: 'REFUSE', action: 'openLong', quantity: 1 });
    const failed = await s.until(id, ['FAILED']);
    expect(failed).toMatchObject({
      errorCode: 'INSUFFICIENT_BUYING_POWER',
      errorMessage: 'Alpaca refused the order: not enough buying power at Alpaca (Alpaca: "insufficient buying power")',
    });
    expect(failed.orders[0]).toMatchObject({ status: 'REJECTED', errorCode: 'INSUFFICIENT_BUYING_POWER' });
  });

  it('an account whose broker cannot be connected: order REJECTED and signal FAILED with BROKER_ERROR and why, at once', async () => {
    const f = await alpacaAccount();
    unreadable.add(f.accountId);
    await s.quote('NOKEYS', '10');
    const posted = server.calls('POST', '/v2/orders').length;
    const id = await s.send(f, { symbol: 'NOKEYS', action: 'openLong', quantity: 1 });
    const failed = await s.until(id, ['FAILED']);
    expect(failed).toMatchObject({
      errorCode: 'BROKER_ERROR',
      errorMessage:
        'alpaca cannot be reached for this account: the stored credentials cannot be decrypted with this UTM_ENCRYPTION_KEY',
    });
    expect(failed.orders[0]).toMatchObject({ status: 'REJECTED', errorCode: 'BROKER_ERROR' });
    expect(server.calls('POST', '/v2/orders').length).toBe(posted); // nothing was sent
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

  it('an Alpaca account waiting on its broker does not hold up a paper account', async () => {
    const slow = await alpacaAccount();
    const quick = await s.fixture();
    await s.quote('SLOWB', '20');
    server.fault('POST', '/v2/orders', { kind: 'hang' });
    const waiting = await s.send(slow, { symbol: 'SLOWB', action: 'openLong', quantity: 1 });
    await s.until(waiting, ['PROCESSING'], async () => (await s.signal(waiting)).orders[0]?.status === 'SUBMITTING');
    const started = Date.now();
    const paper = await s.send(quick, { symbol: 'SLOWB', action: 'openLong', quantity: 1 });
    await s.until(paper, ['FILLED']);
    // Filled while the Alpaca placement is still out (its request hangs until the adapter's timeout).
    expect((await s.signal(waiting)).orders[0]?.status).toBe('SUBMITTING');
    expect(Date.now() - started).toBeLessThan(2000);
    // And the Alpaca order ends up placed once all the same.
    await s.until(waiting, ['SUBMITTED', 'FILLED'], undefined, 20000);
    expect([...server.book.orders.values()].filter((o) => o.symbol === 'SLOWB')).toHaveLength(1);
  });

  const legRows = (signalId: string) =>
    s.db.prisma.order.findMany({
      where: { signalId, role: { in: ['STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'] } },
      orderBy: { seq: 'asc' },
    });

  /** An entry with a 5 % stop and a 5 % target, filled at 100 at Alpaca; its legs working there. */
  async function filledWithOco(symbol: string) {
    const f = await alpacaAccount();
    await s.quote(symbol, '100');
    const id = await s.send(f, {
      symbol,
      action: 'openLong',
      quantity: 4,
      exitRules: { stopLoss: { type: 'PERCENT', value: 5 }, takeProfit: { type: 'PERCENT', value: 5 } },
    });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '100');
    await s.until(id, ['FILLED']);
    const [stop, target] = await s.waitFor(
      'legs at the broker',
      () => legRows(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED'),
    );
    return { f, id, stop: stop as NonNullable<typeof stop>, target: target as NonNullable<typeof target> };
  }

  it('stop loss + take profit go to Alpaca as ONE native OCO order (order_class oco), priced from the fill', async () => {
    const { stop, target } = await filledWithOco('OCO');
    const posts = server
      .calls('POST', '/v2/orders')
      .filter((c) => (c.body as { client_order_id?: string }).client_order_id === target.id);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({
      order_class: 'oco',
      type: 'limit',
      side: 'sell',
      qty: '4',
      time_in_force: 'gtc',
      take_profit: { limit_price: '105' },
      stop_loss: { stop_price: '95' },
    });
    expect(
      server
        .calls('POST', '/v2/orders')
        .some((c) => (c.body as { client_order_id?: string }).client_order_id === stop.id),
    ).toBe(false);
    // The stop loss is Alpaca's leg of that order: we know it by Alpaca's id.
    const oco = server.order(target.id);
    expect(stop.carriedBy).toBe(target.id);
    expect(stop.brokerOrderId).toBe(oco.legIds[0]);
    expect(server.book.toJson(server.order(stop.brokerOrderId ?? ''), false)).toMatchObject({
      type: 'stop',
      side: 'sell',
      stop_price: '95',
      qty: '4',
    });
  });

  it('the target fills: Alpaca cancels the stop (its own OCO), and both rows say so', async () => {
    const { f, target, stop } = await filledWithOco('OCOTP');
    server.fill(server.order(target.id).id, '105.2');
    const after = await s.waitFor(
      'legs settled',
      () => s.db.prisma.order.findMany({ where: { id: { in: [stop.id, target.id] } }, orderBy: { seq: 'asc' } }),
      (l) => l.every((x) => x.status === 'FILLED' || x.status === 'CANCELLED'),
    );
    expect(after.map((l) => [l.role, l.status])).toEqual([
      ['STOP_LOSS', 'CANCELLED'],
      ['TAKE_PROFIT', 'FILLED'],
    ]);
    expect(server.order(stop.brokerOrderId ?? '').status).toBe('canceled');
    expect((await s.account(f.accountId)).positions.OCOTP).toBeUndefined();
  });

  it("the stop is hit: its fill (reported under Alpaca's own client id for the leg) is ours; the target ends cancelled", async () => {
    const { f, target, stop } = await filledWithOco('OCOSL');
    server.fill(stop.brokerOrderId ?? '', '94.9');
    const after = await s.waitFor(
      'legs settled',
      () => s.db.prisma.order.findMany({ where: { id: { in: [stop.id, target.id] } }, orderBy: { seq: 'asc' } }),
      (l) => l.every((x) => x.status === 'FILLED' || x.status === 'CANCELLED'),
    );
    expect(after.map((l) => [l.role, l.status, l.avgFillPrice?.toFixed() ?? null])).toEqual([
      ['STOP_LOSS', 'FILLED', '94.9'],
      ['TAKE_PROFIT', 'CANCELLED', null],
    ]);
    expect(await s.account(f.accountId)).toEqual({ cash: '99979.6', positions: {} }); // 100000 - 4 × 100 + 4 × 94.9
  });

  it('a close cancels the OCO at Alpaca (one cancel takes the group), then sells the position', async () => {
    const { f, id, target, stop } = await filledWithOco('OCOCL');
    await s.quote('OCOCL', '101');
    const closeId = await s.send(f, { symbol: 'OCOCL', action: 'closeLong' });
    await s.waitFor(
      'OCO cancelled',
      () => s.db.prisma.order.findMany({ where: { id: { in: [stop.id, target.id] } } }),
      (l) => l.every((x) => x.status === 'CANCELLED'),
    );
    expect(server.order(target.id).status).toBe('canceled');
    expect(server.order(stop.brokerOrderId ?? '').status).toBe('canceled');
    const close = await s.until(closeId, ['SUBMITTED']);
    expect(server.order(close.orders[0]?.id ?? '').qty.toFixed()).toBe('4');
    expect((await s.signal(id)).status).toBe('FILLED');
  });

  it('the OCO placement times out after Alpaca accepted it: adopted by client_order_id with its leg, never sent twice', async () => {
    const f = await alpacaAccount();
    await s.quote('OCOTO', '100');
    const id = await s.send(f, {
      symbol: 'OCOTO',
      action: 'openLong',
      quantity: 4,
      exitRules: { stopLoss: { type: 'PERCENT', value: 5 }, takeProfit: { type: 'PERCENT', value: 5 } },
    });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fault('POST', '/v2/orders', { kind: 'acceptThenHang' });
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '100');
    const [stop, target] = await s.waitFor(
      'legs adopted',
      () => legRows(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED'),
    );
    expect([...server.book.orders.values()].filter((o) => o.client_order_id === target?.id)).toHaveLength(1);
    expect(stop?.brokerOrderId).toBe(server.order(target?.id ?? '').legIds[0]);
  });

  it('reconciliation reads a carried stop loss through its OCO order: a stop fill the stream missed is recorded', async () => {
    const { f, stop, target } = await filledWithOco('OCORC');
    server.book.fill(stop.brokerOrderId ?? '', new Decimal('95')); // no events: the stream missed it
    await s.executor.reconcileNow();
    const after = await s.waitFor(
      'legs reconciled',
      () => s.db.prisma.order.findMany({ where: { id: { in: [stop.id, target.id] } }, orderBy: { seq: 'asc' } }),
      (l) => l.every((x) => x.status === 'FILLED' || x.status === 'CANCELLED'),
    );
    expect(after.map((l) => [l.role, l.status])).toEqual([
      ['STOP_LOSS', 'FILLED'],
      ['TAKE_PROFIT', 'CANCELLED'],
    ]);
    expect((await s.account(f.accountId)).positions.OCORC).toBeUndefined();
  });

  it('a trailing stop alone is one native trailing_stop order at Alpaca; its fill closes the position', async () => {
    const f = await alpacaAccount();
    await s.quote('TRAIL', '100');
    const id = await s.send(f, {
      symbol: 'TRAIL',
      action: 'openLong',
      quantity: 2,
      exitRules: { trailingStop: { type: 'PERCENT', value: 3 } },
    });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '100');
    const [trailing] = await s.waitFor(
      'leg at the broker',
      () => legRows(id),
      (l) => l.length === 1 && l.every((x) => x.status === 'ACCEPTED'),
    );
    expect(server.book.toJson(server.order(trailing?.id ?? ''), false)).toMatchObject({
      type: 'trailing_stop',
      trail_percent: '3',
      order_class: 'simple',
      time_in_force: 'gtc',
    });
    server.fill(server.order(trailing?.id ?? '').id, '104');
    await s.waitFor(
      'leg filled',
      () => legRows(id),
      (l) => l.every((x) => x.status === 'FILLED'),
    );
    expect((await s.account(f.accountId)).positions.TRAIL).toBeUndefined();
    expect(server.refusals).toEqual([]);
  });

  it('a cancel for an order Alpaca does not know ends it CANCELLED at once, with why, instead of retrying', async () => {
    const f = await alpacaAccount();
    await s.quote('GONE', '50');
    const id = await s.send(f, { symbol: 'GONE', action: 'openLong', quantity: 1, orderType: 'LIMIT', limitPrice: 40 });
    const submitted = await s.until(id, ['SUBMITTED']);
    const order = submitted.orders[0];
    server.book.orders.delete(server.order(order?.id ?? '').id); // the broker lost it
    await s.db.pool.query('UPDATE orders SET cancel_requested_at = now() WHERE id = $1', [order?.id]);
    await s.ordersQueue.add(
      JOBS.orders.name,
      { orderId: order?.id ?? '', accountId: f.accountId, signalId: id },
      { jobId: `cancel-${order?.id ?? ''}`, attempts: 5, backoff: { type: 'fixed', delay: 60_000 } },
    );
    const ended = await s.until(id, ['CANCELLED']);
    expect(ended.orders[0]).toMatchObject({
      status: 'CANCELLED',
      errorCode: 'ORDER_CANCELLED',
      errorMessage: 'alpaca has no such order: nothing to cancel there, it ends here',
    });
    // A report from before (the order still working) arriving late does not reopen it.
    const venue = (await s.executor.venueFor(f.accountId)) as BrokerVenue;
    await venue.apply(
      order?.id ?? '',
      {
        brokerOrderId: order?.brokerOrderId ?? '',
        clientOrderId: order?.id ?? '',
        status: 'ACCEPTED',
        filledQuantity: new Decimal(0),
        avgFillPrice: null,
        legs: [],
        reason: null,
      },
      null,
    );
    expect((await s.signal(id)).orders[0]?.status).toBe('CANCELLED');
    expect((await s.signal(id)).status).toBe('CANCELLED');
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
