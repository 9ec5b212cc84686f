import type { ExitRules } from '@utm/contracts';
import { uniqueSymbol, type AlpacaTestServer, type Fixture } from '@utm/testkit';
import { alpacaConnection, aroundAlpacaStack } from '../support/alpaca';
import { Stack } from '../support/stack';

/**
 * Exit legs already working at Alpaca follow the position: when their entry fills further,
 * and when one of them fills in part. The real executor, Postgres and Redis, and the Alpaca
 * contract server over HTTP, whose book is the judge: what works there must equal the position.
 */
describe('exit legs resized at Alpaca', () => {
  let server: AlpacaTestServer;
  const s = new Stack({ brokerFor: () => alpacaConnection(server) });
  aroundAlpacaStack(s, (started) => (server = started));

  const OPEN = ['NEW', 'SUBMITTING', 'ACCEPTED', 'PARTIALLY_FILLED'];
  const legRows = (signalId: string) =>
    s.db.prisma.order.findMany({
      where: { signalId, role: { in: ['STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'] } },
      orderBy: { seq: 'asc' },
    });
  const openLegs = async (signalId: string) => (await legRows(signalId)).filter((l) => OPEN.includes(l.status));
  /** What works at Alpaca for the symbol on the exit side: [type, qty, client_order_id], legs of an OCO included. */
  const workingAt = (symbol: string) =>
    [...server.book.orders.values()]
      .filter((o) => o.symbol === symbol && o.side === 'sell' && server.book.isOpen(o))
      .map((o) => [o.type, o.qty.toFixed(), o.client_order_id] as const);
  const position = async (f: Fixture, symbol: string) =>
    (await s.account(f.accountId)).positions[symbol]?.quantity ?? '0';
  const legPosts = (ids: string[]) =>
    server
      .calls('POST', '/v2/orders')
      .filter((c) => ids.includes((c.body as { client_order_id?: string }).client_order_id ?? ''));

  /** openLong 4 with `exitRules`; Alpaca fills `first` of it at 100; its legs then work there. */
  async function entryWithLegs(exitRules: ExitRules, first: string, legs: number) {
    const symbol = uniqueSymbol('RZ');
    const f = await s.fixture({ broker: 'alpaca', cash: '100000' });
    await s.quote(symbol, '100');
    const id = await s.send(f, { symbol, action: 'openLong', quantity: 4, exitRules });
    const submitted = await s.until(id, ['SUBMITTED']);
    const entry = server.order(submitted.orders[0]?.id ?? '');
    server.fill(entry.id, '100', first);
    const working = await s.waitFor(
      'legs working at alpaca',
      () => openLegs(id),
      (l) => l.length === legs && l.every((x) => x.status === 'ACCEPTED'),
    );
    return { symbol, f, id, entry, working };
  }

  const stopAndTrail: ExitRules = {
    stopLoss: { type: 'PERCENT', value: 5 },
    trailingStop: { type: 'PERCENT', value: 3 },
  };
  const stopAndTarget: ExitRules = {
    stopLoss: { type: 'PERCENT', value: 5 },
    takeProfit: { type: 'PERCENT', value: 5 },
  };

  it('the entry fills in two steps: each leg is replaced at Alpaca (PATCH) by one sized to the position, priced from the new average', async () => {
    const { symbol, f, id, entry, working } = await entryWithLegs(stopAndTrail, '2', 2);
    server.fill(entry.id, '102', '2');
    const resized = await s.waitFor(
      'legs resized',
      () => openLegs(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED' && x.quantity.eq(4) && x.replaces !== null),
    );
    expect(await position(f, symbol)).toBe('4');
    expect(workingAt(symbol).sort()).toEqual(
      resized.map((l) => [l.type === 'STOP' ? 'stop' : 'trailing_stop', '4', l.id] as const).sort(),
    );
    const [stop, trail] = resized;
    expect(server.calls('PATCH', `/v2/orders/${working[0]?.brokerOrderId ?? ''}`).map((c) => c.body)).toEqual([
      { client_order_id: stop?.id, qty: '4', stop_price: '95.95' },
    ]);
    expect(server.calls('PATCH', `/v2/orders/${working[1]?.brokerOrderId ?? ''}`).map((c) => c.body)).toEqual([
      { client_order_id: trail?.id, qty: '4' },
    ]);
    expect(legPosts(resized.map((l) => l.id))).toHaveLength(0); // replaced, never placed anew
    const old = await s.db.prisma.order.findMany({
      where: { id: { in: working.map((l) => l.id) } },
      orderBy: { seq: 'asc' },
    });
    expect(old.map((l) => [l.status, l.errorMessage])).toEqual([
      ['CANCELLED', `replaced by order ${stop?.id} (broker id ${stop?.brokerOrderId})`],
      ['CANCELLED', `replaced by order ${trail?.id} (broker id ${trail?.brokerOrderId})`],
    ]);
    const events = (await s.signal(id)).events;
    expect(events.filter((e) => e.type === 'EXIT_LEG_RESIZED').map((e) => e.message.split(':')[0])).toEqual(
      expect.arrayContaining(['STOP_LOSS 2 → 4 at alpaca', 'TRAILING_STOP 2 → 4 at alpaca']),
    );
    expect(events.some((e) => /keeps .* at the broker/.test(e.message))).toBe(false);
    // The sender's view (the API's order shape): the working legs show the working quantity.
    const res = await fetch(`${s.url}/api/v1/signals/${id}`, { headers: { 'X-API-Key': f.apiKey } });
    const view = (await res.json()) as {
      orders: { orderId: string; role: string; quantity: string; status: string; brokerOrderId: string | null }[];
    };
    expect(
      view.orders.filter((o) => o.status === 'ACCEPTED').map((o) => [o.role, o.quantity, o.brokerOrderId]),
    ).toEqual([
      ['STOP_LOSS', '4', stop?.brokerOrderId],
      ['TRAILING_STOP', '4', trail?.brokerOrderId],
    ]);
  });

  it("a native OCO pair: cancelled first (Alpaca cannot change its legs' qty), then placed again for the position, never two at once", async () => {
    const { symbol, f, id, entry, working } = await entryWithLegs(stopAndTarget, '2', 2);
    const [oldStop, oldTarget] = working;
    server.fill(entry.id, '102', '2');
    const resized = await s.waitFor(
      'pair placed again',
      () => openLegs(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED' && x.quantity.eq(4)),
    );
    const stop = resized.find((l) => l.role === 'STOP_LOSS');
    const target = resized.find((l) => l.role === 'TAKE_PROFIT');
    expect(await position(f, symbol)).toBe('4');
    expect(server.order(oldTarget?.id ?? '').status).toBe('canceled');
    expect(server.order(oldStop?.brokerOrderId ?? '').status).toBe('canceled');
    const posts = legPosts([target?.id ?? '']);
    expect(posts.map((c) => c.body)).toEqual([
      expect.objectContaining({
        order_class: 'oco',
        qty: '4',
        take_profit: { limit_price: '106.05' },
        stop_loss: { stop_price: '95.95' },
      }),
    ]);
    // Sent after the old pair was cancelled: no moment with both pairs working.
    const calls = server.requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
    expect(calls.indexOf(`DELETE /v2/orders/${oldTarget?.brokerOrderId ?? ''}`)).toBeLessThan(
      calls.lastIndexOf('POST /v2/orders'),
    );
    expect(stop).toMatchObject({
      carriedBy: target?.id,
      replaces: oldStop?.id,
      brokerOrderId: server.order(target?.id ?? '').legIds[0],
    });
    expect(
      workingAt(symbol)
        .map(([type, qty]) => [type, qty])
        .sort(),
    ).toEqual([
      ['limit', '4'],
      ['stop', '4'],
    ]);
    expect(server.calls('PATCH', `/v2/orders/${oldTarget?.brokerOrderId ?? ''}`)).toHaveLength(0);
  });

  it('a leg fills in part: its sibling at Alpaca is replaced by one for the position left', async () => {
    const { symbol, f, id, working } = await entryWithLegs(stopAndTrail, '4', 2);
    const [stop, trail] = working;
    server.fill(trail?.brokerOrderId ?? '', '104', '1');
    const [resized] = await s.waitFor(
      'stop loss shrunk',
      async () => (await openLegs(id)).filter((l) => l.role === 'STOP_LOSS'),
      (l) => l.length === 1 && l[0]?.status === 'ACCEPTED' && l[0].quantity.eq(3),
    );
    expect(await position(f, symbol)).toBe('3');
    expect(server.calls('PATCH', `/v2/orders/${stop?.brokerOrderId ?? ''}`).map((c) => c.body)).toEqual([
      { client_order_id: resized?.id, qty: '3' },
    ]);
    expect(server.order(resized?.id ?? '').qty.toFixed()).toBe('3');
    expect(
      server
        .order(trail?.id ?? '')
        .qty.minus(server.order(trail?.id ?? '').filled_qty)
        .toFixed(),
    ).toBe('3');
  });

  it('an OCO take profit fills in part: Alpaca adjusts its stop loss, and our row says the same, with nothing sent', async () => {
    const { id, working } = await entryWithLegs(stopAndTarget, '4', 2);
    const [stop, target] = working;
    const sent = server.requests.filter((r) => r.method !== 'GET').length;
    server.fill(target?.id ?? '', '105', '1');
    const [row] = await s.waitFor(
      'stop row follows',
      async () => s.db.prisma.order.findMany({ where: { id: stop?.id ?? '' } }),
      (l) => l[0]?.quantity.eq(3) === true,
    );
    expect(server.order(stop?.brokerOrderId ?? '').qty.toFixed()).toBe(row?.quantity.toFixed());
    expect(server.requests.filter((r) => r.method !== 'GET')).toHaveLength(sent);
    expect(
      (await s.signal(id)).events.some(
        (e) => e.type === 'EXIT_LEG_RESIZED' && /alpaca adjusts the stop loss/.test(e.message),
      ),
    ).toBe(true);
  });

  it('the replace is refused because the leg filled in between: recorded as such, a consistent database, no extra order', async () => {
    const { symbol, f, id, entry, working } = await entryWithLegs({ stopLoss: { type: 'PERCENT', value: 5 } }, '2', 1);
    const [stop] = working;
    server.fault('PATCH', `/v2/orders/${stop?.brokerOrderId ?? ''}`, { kind: 'fillFirst', price: '95' });
    server.fill(entry.id, '100', '2');
    const legs = await s.waitFor(
      'refusal recorded',
      () => legRows(id),
      (l) => l.length === 2 && l.every((x) => !OPEN.includes(x.status)),
    );
    expect(legs.map((l) => [l.status, l.filledQuantity.toFixed()])).toEqual([
      ['FILLED', '2'],
      ['CANCELLED', '0'],
    ]);
    const replacement = legs[1];
    expect(replacement?.errorMessage).toMatch(/^Not needed: alpaca refused to replace order .*, which is FILLED/);
    expect(server.book.byClientId(replacement?.id ?? '')).toBeUndefined();
    expect(server.calls('PATCH', `/v2/orders/${stop?.brokerOrderId ?? ''}`)).toHaveLength(1);
    expect(legPosts(legs.map((l) => l.id))).toHaveLength(1);
    expect(await position(f, symbol)).toBe('2');
    expect(server.book.positions.get(symbol)?.qty.toFixed()).toBe('2');
    expect(workingAt(symbol)).toEqual([]);
    expect((await s.signal(id)).events.some((e) => e.type === 'RESIZE_REFUSED')).toBe(true);
  });

  it('a timeout after Alpaca accepted the replace (its answer and events lost): the retry adopts it, exactly one live leg there', async () => {
    const { symbol, f, id, entry, working } = await entryWithLegs({ stopLoss: { type: 'PERCENT', value: 5 } }, '2', 1);
    const [stop] = working;
    server.fault('PATCH', `/v2/orders/${stop?.brokerOrderId ?? ''}`, { kind: 'acceptThenHang', quiet: true });
    // And the look-ups of the same call fail too: only the job's retry can find it.
    server.fault('GET', '/v2/orders:by_client_order_id', { kind: 'status', status: 503 }, 3);
    server.fill(entry.id, '100', '2');
    const adopted = await s.waitFor(
      'replacement adopted',
      async () => (await legRows(id)).find((l) => l.replaces === stop?.id),
      (l) => l?.status === 'ACCEPTED',
      20000,
    );
    await s.executor.reconcileNow(); // what a restart does first: the old order is found replaced
    const legs = await s.waitFor(
      'old leg ended',
      () => legRows(id),
      (l) => l.filter((x) => OPEN.includes(x.status)).length === 1,
    );
    expect(legs.map((l) => [l.id, l.status])).toEqual([
      [stop?.id, 'CANCELLED'],
      [adopted?.id, 'ACCEPTED'],
    ]);
    expect(server.calls('PATCH', `/v2/orders/${stop?.brokerOrderId ?? ''}`)).toHaveLength(1);
    expect(workingAt(symbol)).toEqual([['stop', '4', adopted?.id]]);
    expect(adopted?.brokerOrderId).toBe(server.order(adopted?.id ?? '').id);
    expect(await position(f, symbol)).toBe('4');
    const events = (await s.signal(id)).events.filter((e) => e.orderId === adopted?.id).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['SUBMITTING', 'RECONCILED', 'EXIT_LEG_RESIZED']));
  }, 40000);
});
