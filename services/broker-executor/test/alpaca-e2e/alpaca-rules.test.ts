import type { ExitRules } from '@utm/contracts';
import { uniqueSymbol, type AlpacaTestServer, type Fixture } from '@utm/testkit';
import { alpacaConnection, aroundAlpacaStack } from '../support/alpaca';
import { Stack } from '../support/stack';

/**
 * Each case of Alpaca's trading rules, end to end: a signal over HTTP to the gateway, the
 * processor, the executor, and the strict Alpaca contract server, whose refusals are recorded
 * (server.refusals): nothing the platform sends may be refused.
 */
describe('Alpaca to the letter: what the platform sends, Alpaca takes', () => {
  let server: AlpacaTestServer;
  const s = new Stack({ brokerFor: () => alpacaConnection(server) });
  aroundAlpacaStack(s, (started) => (server = started));
  afterEach(() => {
    server.pendingCancelMs = 25;
    server.rejectCancel.clear();
  });

  const SL_TP: ExitRules = { stopLoss: { type: 'PERCENT', value: 5 }, takeProfit: { type: 'PERCENT', value: 5 } };
  const bodyOf = (c: { body: unknown }) => c.body as Record<string, unknown>;
  const posted = (symbol: string) => server.calls('POST', '/v2/orders').filter((c) => bodyOf(c).symbol === symbol);
  const refusedFor = (symbol: string) =>
    server.refusals.filter((r) => JSON.stringify(r).includes(symbol) || r.method === 'DELETE');
  const legRows = (signalId: string) =>
    s.db.prisma.order.findMany({
      where: { signalId, role: { in: ['STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'] } },
      orderBy: { seq: 'asc' },
    });

  /** A long of `qty` in a fresh symbol, filled at 100 at Alpaca, its stop loss + take profit working as one OCO. */
  async function longWithOco(qty = 10, opts: { allowFractional?: boolean } = {}) {
    const symbol = uniqueSymbol('AL');
    const f = await s.fixture({ broker: 'alpaca', cash: '100000', ...opts });
    await s.quote(symbol, '100');
    const id = await s.send(f, { symbol, action: 'openLong', quantity: qty, exitRules: SL_TP });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '100');
    const [stop, target] = await s.waitFor(
      'OCO working at Alpaca',
      () => legRows(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED'),
    );
    return { symbol, f, id, stop: stop as NonNullable<typeof stop>, target: target as NonNullable<typeof target> };
  }

  const position = async (f: Fixture, symbol: string) =>
    (await s.account(f.accountId)).positions[symbol]?.quantity ?? '0';

  it('closeLong while the OCO works: the close is sent only once the cancel is final (not pending), and is taken', async () => {
    const { symbol, f, target } = await longWithOco();
    server.pendingCancelMs = 300;
    const closeId = await s.send(f, { symbol, action: 'closeLong' });
    await s.waitFor(
      'OCO pending_cancel',
      async () => server.order(target.id).status,
      (st) => st === 'pending_cancel',
    );
    expect(posted(symbol).filter((c) => bodyOf(c).side === 'sell' && !bodyOf(c).order_class)).toHaveLength(0);
    const close = await s.until(closeId, ['SUBMITTED']);
    const atAlpaca = server.order(close.orders[0]?.id ?? '');
    expect(server.order(target.id).status).toBe('canceled');
    expect(atAlpaca.submitted_at > (server.order(target.id).canceled_at ?? '')).toBe(true);
    server.fill(atAlpaca.id, '101');
    await s.until(closeId, ['FILLED']);
    expect(await position(f, symbol)).toBe('0');
    expect(refusedFor(symbol)).toEqual([]);
  });

  it('a cancel racing a fill: the stop fills while its cancel is pending; the close finds nothing left and sends nothing', async () => {
    const { symbol, f, stop, target } = await longWithOco();
    server.pendingCancelMs = 400;
    const closeId = await s.send(f, { symbol, action: 'closeLong' });
    await s.waitFor(
      'OCO pending_cancel',
      async () => server.order(target.id).status,
      (st) => st === 'pending_cancel',
    );
    server.fill(stop.brokerOrderId ?? '', '94.9');
    const ended = await s.until(closeId, ['CANCELLED']);
    expect(ended.events.some((e) => /Nothing to close/.test(e.message))).toBe(true);
    const legs = await legRows((await s.db.prisma.order.findUniqueOrThrow({ where: { id: stop.id } })).signalId);
    expect(legs.map((l) => [l.role, l.status])).toEqual([
      ['STOP_LOSS', 'FILLED'],
      ['TAKE_PROFIT', 'CANCELLED'],
    ]);
    expect(await position(f, symbol)).toBe('0');
    expect(posted(symbol).filter((c) => !bodyOf(c).order_class && bodyOf(c).side === 'sell')).toHaveLength(0);
    expect(refusedFor(symbol)).toEqual([]);
  });

  it('order_cancel_rejected: the cancel is asked for again, and the close goes once the OCO is gone', async () => {
    const { symbol, f, target } = await longWithOco();
    server.pendingCancelMs = 60;
    server.rejectCancel.add(server.order(target.id).id);
    const closeId = await s.send(f, { symbol, action: 'closeLong' });
    const close = await s.until(closeId, ['SUBMITTED']);
    expect(server.calls('DELETE', `/v2/orders/${server.order(target.id).id}`)).toHaveLength(2);
    const signal = await s.signal((await s.db.prisma.order.findUniqueOrThrow({ where: { id: target.id } })).signalId);
    expect(signal.events.some((e) => e.type === 'CANCEL_REJECTED')).toBe(true);
    server.fill(server.order(close.orders[0]?.id ?? '').id, '99');
    await s.until(closeId, ['FILLED']);
    expect(await position(f, symbol)).toBe('0');
    expect(refusedFor(symbol)).toEqual([]);
  });

  it('reverseToShort: the OCO is cancelled, the close sent, and the short entry only once the close has filled', async () => {
    const { symbol, f } = await longWithOco();
    server.pendingCancelMs = 100;
    const id = await s.send(f, { symbol, action: 'reverseToShort' });
    const working = await s.waitFor(
      'close at Alpaca',
      async () => (await s.signal(id)).orders,
      (o) => o.find((x) => x.role === 'CLOSE')?.status === 'ACCEPTED',
    );
    const entry = working.find((x) => x.role === 'ENTRY');
    expect(entry?.status).toBe('NEW'); // waits: Alpaca would refuse a sell of shares the close holds
    expect(posted(symbol).filter((c) => bodyOf(c).client_order_id === entry?.id)).toHaveLength(0);
    server.fill(server.order(working.find((x) => x.role === 'CLOSE')?.id ?? '').id, '99');
    await s.waitFor(
      'short entry at Alpaca',
      async () => (await s.signal(id)).orders.find((x) => x.role === 'ENTRY')?.status,
      (st) => st === 'ACCEPTED',
    );
    server.fill(server.order(entry?.id ?? '').id, '99');
    await s.until(id, ['FILLED']);
    expect(await position(f, symbol)).toBe('-10');
    expect(refusedFor(symbol)).toEqual([]);
  });

  it('a stop loss with a trailing stop cannot rest at Alpaca: refused up front (EXITS_NOT_SUPPORTED), nothing sent', async () => {
    const symbol = uniqueSymbol('AT');
    const f = await s.fixture({ broker: 'alpaca' });
    await s.quote(symbol, '100');
    const id = await s.send(f, {
      symbol,
      action: 'openLong',
      quantity: 2,
      exitRules: { stopLoss: { type: 'PERCENT', value: 5 }, trailingStop: { type: 'PERCENT', value: 3 } },
    });
    const refused = await s.until(id, ['REJECTED']);
    expect(refused.errorCode).toBe('EXITS_NOT_SUPPORTED');
    expect(refused.errorMessage).toMatch(/trailing stop.*stop loss/);
    expect(posted(symbol)).toHaveLength(0);
  });

  it('adding to a position whose exits work is refused up front (Alpaca: potential wash trade), nothing sent', async () => {
    const { symbol, f } = await longWithOco();
    const before = posted(symbol).length;
    const id = await s.send(f, { symbol, action: 'openLong', quantity: 1 });
    expect(await s.until(id, ['REJECTED'])).toMatchObject({ errorCode: 'WASH_TRADE' });
    expect(posted(symbol)).toHaveLength(before);
  });

  it('an entry that fills in parts: its exits wait (Alpaca refuses them beside the working buy), then go for the whole fill', async () => {
    const symbol = uniqueSymbol('AP');
    const f = await s.fixture({ broker: 'alpaca' });
    await s.quote(symbol, '100');
    const id = await s.send(f, {
      symbol,
      action: 'openLong',
      quantity: 4,
      orderType: 'LIMIT',
      limitPrice: 100,
      timeInForce: 'GTC',
      exitRules: SL_TP,
    });
    const entry = (await s.until(id, ['SUBMITTED'])).orders[0];
    server.fill(server.order(entry?.id ?? '').id, '100', '2');
    await s.waitFor(
      'legs written, waiting',
      () => legRows(id),
      (l) => l.length === 2,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await legRows(id)).map((l) => l.status)).toEqual(['NEW', 'NEW']);
    expect(posted(symbol)).toHaveLength(1);
    server.fill(server.order(entry?.id ?? '').id, '100', '2');
    const legs = await s.waitFor(
      'OCO at Alpaca',
      () => legRows(id),
      (l) => l.every((x) => x.status === 'ACCEPTED'),
    );
    expect(server.order(legs[1]?.id ?? '')).toMatchObject({ order_class: 'oco' });
    expect(server.order(legs[1]?.id ?? '').qty.toFixed()).toBe('4');
    expect(refusedFor(symbol)).toEqual([]);
  });

  it('a LIMIT at 150.123 is sent on the tick (150.12 for a buy: never a worse price), with a note', async () => {
    const symbol = uniqueSymbol('AS');
    const f = await s.fixture({ broker: 'alpaca' });
    await s.quote(symbol, '151');
    const id = await s.send(f, { symbol, action: 'openLong', quantity: 1, orderType: 'LIMIT', limitPrice: 150.123 });
    const submitted = await s.until(id, ['SUBMITTED']);
    expect(bodyOf(posted(symbol)[0] ?? { body: {} })).toMatchObject({ limit_price: '150.12' });
    expect(submitted.events.some((e) => /150\.123 rounded to 150\.12/.test(e.message))).toBe(true);
    expect(refusedFor(symbol)).toEqual([]);
  });

  it('a stock Alpaca cannot borrow: the executor asks its asset first and refuses the short before sending', async () => {
    const symbol = uniqueSymbol('AB');
    server.setAsset(symbol, { easy_to_borrow: false });
    const f = await s.fixture({ broker: 'alpaca' });
    await s.quote(symbol, '20');
    const id = await s.send(f, { symbol, action: 'openShort', quantity: 3 });
    // Found by the executor once the order existed: the order REJECTED, the signal FAILED.
    expect(await s.until(id, ['FAILED'])).toMatchObject({ errorCode: 'NOT_SHORTABLE' });
    expect(posted(symbol)).toHaveLength(0);
    expect(server.calls('GET', `/v2/assets/${symbol}`)).toHaveLength(1);
    // Kept for the processor: the next short is refused before an order exists.
    const again = await s.send(f, { symbol, action: 'openShort', quantity: 3 });
    const refused = await s.until(again, ['REJECTED']);
    expect(refused.orders).toHaveLength(0);
  });

  it('a refusal Alpaca can still give has its own code: a stop the market has already passed (STOP_PRICE_REFUSED)', async () => {
    const symbol = uniqueSymbol('AR');
    const f = await s.fixture({ broker: 'alpaca' });
    await s.quote(symbol, '100');
    const id = await s.send(f, { symbol, action: 'openLong', quantity: 2, exitRules: SL_TP });
    const entry = (await s.until(id, ['SUBMITTED'])).orders[0];
    server.fill(server.order(entry?.id ?? '').id, '100');
    server.setPrice(symbol, '94'); // the market fell through the 95 stop before the OCO arrived
    const legs = await s.waitFor(
      'OCO refused',
      () => legRows(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'REJECTED'),
    );
    expect(legs.map((l) => l.errorCode)).toEqual(['STOP_PRICE_REFUSED', 'STOP_PRICE_REFUSED']);
    expect(legs[1]?.errorMessage).toMatch(/stop price is too close to the market .*base price 94/);
  });

  describe('fractional shares', () => {
    it('a dollar amount buys a fraction, as a DAY market order', async () => {
      const symbol = uniqueSymbol('AF');
      const f = await s.fixture({ broker: 'alpaca', allowFractional: true });
      await s.quote(symbol, '150');
      const id = await s.send(f, { symbol, action: 'openLong', quantity: 500, quantityType: 'DOLLAR_AMOUNT' });
      await s.until(id, ['SUBMITTED']);
      expect(bodyOf(posted(symbol)[0] ?? { body: {} })).toMatchObject({
        qty: '3.333333',
        type: 'market',
        time_in_force: 'day',
      });
      expect(refusedFor(symbol)).toEqual([]);
    });

    it('with exits: whole shares, so that the exits can rest GTC as one OCO', async () => {
      const symbol = uniqueSymbol('AG');
      const f = await s.fixture({ broker: 'alpaca', allowFractional: true });
      await s.quote(symbol, '150');
      const id = await s.send(f, {
        symbol,
        action: 'openLong',
        quantity: 500,
        quantityType: 'DOLLAR_AMOUNT',
        exitRules: SL_TP,
      });
      const submitted = await s.until(id, ['SUBMITTED']);
      expect(bodyOf(posted(symbol)[0] ?? { body: {} })).toMatchObject({ qty: '3' });
      server.fill(server.order(submitted.orders[0]?.id ?? '').id, '150');
      await s.waitFor(
        'OCO at Alpaca',
        () => legRows(id),
        (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED'),
      );
      expect(posted(symbol).map((c) => [bodyOf(c).order_class ?? 'simple', bodyOf(c).time_in_force])).toEqual([
        ['simple', 'day'],
        ['oco', 'gtc'],
      ]);
      expect(refusedFor(symbol)).toEqual([]);
    });
  });
});
