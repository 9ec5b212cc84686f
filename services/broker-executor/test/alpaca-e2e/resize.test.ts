import type { ExitRules } from '@utm/contracts';
import { uniqueSymbol, type AlpacaTestServer, type Fixture } from '@utm/testkit';
import { alpacaConnection, aroundAlpacaStack } from '../support/alpaca';
import { Stack } from '../support/stack';

/**
 * Exit legs at Alpaca follow the position. Alpaca refuses an exit opposite a working entry (a
 * potential wash trade), so an entry's legs go out once the entry is complete or ended, sized to
 * what filled and priced from its average; once out, an OCO whose take profit fills in part is
 * adjusted by Alpaca itself. (Alpaca's replace request, for legs that would change while they
 * work, is proven on its own in test/alpaca/replace.test.ts.) The real executor, Postgres and
 * Redis, and the strict Alpaca contract server over HTTP, whose book is the judge.
 */
describe('exit legs sized at Alpaca', () => {
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

  const stopAndTarget: ExitRules = {
    stopLoss: { type: 'PERCENT', value: 5 },
    takeProfit: { type: 'PERCENT', value: 5 },
  };

  it('the entry fills in two steps: its legs wait, then go out once, for the whole position, priced from the average', async () => {
    const symbol = uniqueSymbol('RZ');
    const f = await s.fixture({ broker: 'alpaca', cash: '100000' });
    await s.quote(symbol, '100');
    const id = await s.send(f, {
      symbol,
      action: 'openLong',
      quantity: 4,
      orderType: 'LIMIT',
      limitPrice: 102,
      timeInForce: 'GTC',
      exitRules: { stopLoss: { type: 'PERCENT', value: 5 } },
    });
    const entry = server.order((await s.until(id, ['SUBMITTED'])).orders[0]?.id ?? '');
    server.fill(entry.id, '100', '2');
    await s.waitFor(
      'leg written',
      () => legRows(id),
      (l) => l.length === 1 && l[0]?.status === 'NEW',
    );
    server.fill(entry.id, '102', '2');
    const [leg] = await s.waitFor(
      'leg at Alpaca',
      () => openLegs(id),
      (l) => l.length === 1 && l[0]?.status === 'ACCEPTED',
    );
    expect(await position(f, symbol)).toBe('4');
    expect(workingAt(symbol)).toEqual([['stop', '4', leg?.id]]);
    // 5 % below the average of 101, on the cent, away from the money.
    expect(server.order(leg?.id ?? '').stop_price).toBe('95.95');
    expect(legPosts([leg?.id ?? ''])).toHaveLength(1);
    expect(server.calls('PATCH', /^\/v2\/orders\//)).toHaveLength(0);
    expect(server.refusals).toEqual([]);
    // The sender's view (the API's order shape): the working leg with the working quantity.
    const res = await fetch(`${s.url}/api/v1/signals/${id}`, { headers: { 'X-API-Key': f.apiKey } });
    const view = (await res.json()) as {
      orders: { role: string; quantity: string; status: string; brokerOrderId: string | null }[];
    };
    expect(
      view.orders.filter((o) => o.status === 'ACCEPTED').map((o) => [o.role, o.quantity, o.brokerOrderId]),
    ).toEqual([['STOP_LOSS', '4', leg?.brokerOrderId]]);
  });

  it('a DAY entry that fills in part and expires: its legs go out for the part that filled', async () => {
    const symbol = uniqueSymbol('RX');
    const f = await s.fixture({ broker: 'alpaca', cash: '100000' });
    await s.quote(symbol, '100');
    const id = await s.send(f, {
      symbol,
      action: 'openLong',
      quantity: 4,
      orderType: 'LIMIT',
      limitPrice: 100,
      exitRules: stopAndTarget,
    });
    const entry = server.order((await s.until(id, ['SUBMITTED'])).orders[0]?.id ?? '');
    server.fill(entry.id, '100', '3');
    server.setStatus(entry.id, 'expired');
    const legs = await s.waitFor(
      'OCO at Alpaca',
      () => openLegs(id),
      (l) => l.length === 2 && l.every((x) => x.status === 'ACCEPTED'),
    );
    expect(legs.map((l) => [l.role, l.quantity.toFixed()])).toEqual([
      ['STOP_LOSS', '3'],
      ['TAKE_PROFIT', '3'],
    ]);
    expect(await position(f, symbol)).toBe('3');
    expect((await s.signal(id)).status).toBe('EXPIRED');
    expect(server.refusals).toEqual([]);
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
});
