import type { IngestRequest } from '@utm/contracts';
import { uniqueSymbol, type AlpacaTestServer } from '@utm/testkit';
import { alpacaConnection, aroundAlpacaStack } from '../support/alpaca';
import { Stack } from '../support/stack';

/**
 * Crypto at Alpaca, end to end (webhook → gateway → processor → executor → the strict contract
 * server): GTC by default, the asset's increments from its assets endpoint, a stop loss as a
 * stop-limit, no shorts. Nothing sent is refused (server.refusals).
 */
describe('crypto at Alpaca', () => {
  let server: AlpacaTestServer;
  const s = new Stack({ brokerFor: () => alpacaConnection(server) });
  aroundAlpacaStack(s, (started) => (server = started));

  const bodyOf = (c: { body: unknown }) => c.body as Record<string, unknown>;
  const posted = (symbol: string) => server.calls('POST', '/v2/orders').filter((c) => bodyOf(c).symbol === symbol);
  const crypto = () => s.fixture({ broker: 'alpaca', cash: '100000' });
  /** A crypto pair of the test's own (one Alpaca account serves every test of the file). */
  const pair = (increments: { min_order_size: string; min_trade_increment: string; price_increment: string }) => {
    const symbol = `${uniqueSymbol('C').slice(0, 8)}/USD`;
    server.setAsset(symbol, { class: 'crypto', shortable: false, easy_to_borrow: false, ...increments });
    return symbol;
  };

  it('a market buy of 0.5 BTC/USD without timeInForce goes GTC; the asset is kept for sizing; the close sells 0.5 GTC', async () => {
    const f = await crypto();
    await s.quote('BTC/USD', '43000');
    const id = await s.send(f, { symbol: 'BTC/USD', action: 'openLong', quantity: 0.5 });
    const submitted = await s.until(id, ['SUBMITTED']);
    expect(bodyOf(posted('BTC/USD')[0] ?? { body: {} })).toMatchObject({
      symbol: 'BTC/USD',
      qty: '0.5',
      side: 'buy',
      type: 'market',
      time_in_force: 'gtc',
    });
    expect(submitted.events.some((e) => /time in force GTC/.test(e.message))).toBe(true);
    const rule = await s.db.prisma.instrumentRule.findUniqueOrThrow({
      where: { venue_symbol: { venue: 'alpaca', symbol: 'BTC/USD' } },
    });
    expect([rule.assetClass, rule.quantityStep?.toFixed(), rule.minQuantity?.toFixed(), rule.shortable]).toEqual([
      'crypto',
      '0.0001',
      '0.0001',
      false,
    ]);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '43010');
    await s.until(id, ['FILLED']);
    const close = await s.send(f, { symbol: 'BTC/USD', action: 'closeLong' });
    const closing = await s.until(close, ['SUBMITTED']);
    expect(bodyOf(posted('BTC/USD')[1] ?? { body: {} })).toMatchObject({
      side: 'sell',
      qty: '0.5',
      time_in_force: 'gtc',
    });
    server.fill(server.order(closing.orders[0]?.id ?? '').id, '43100');
    await s.until(close, ['FILLED']);
    expect(server.refusals).toEqual([]);
  });

  it("a dollar amount is sized on the asset's increment (read from instrument_rules), not in whole coins", async () => {
    const f = await crypto();
    const symbol = pair({ min_order_size: '0.01', min_trade_increment: '0.01', price_increment: '0.1' });
    await s.quote(symbol, '2600');
    // The first order in the pair makes the executor ask Alpaca for the asset.
    const first = await s.send(f, { symbol, action: 'openLong', quantity: 1 });
    await s.until(first, ['SUBMITTED']);
    const id = await s.send(f, { symbol, action: 'openLong', quantity: 1000, quantityType: 'DOLLAR_AMOUNT' });
    await s.until(id, ['SUBMITTED']);
    expect(bodyOf(posted(symbol)[1] ?? { body: {} })).toMatchObject({ qty: '0.38' });
    expect(server.refusals).toEqual([]);
  });

  it('a stop loss on crypto rests as a GTC stop_limit (Alpaca takes no stop for crypto), on the $1 price increment', async () => {
    const f = await crypto();
    const symbol = pair({ min_order_size: '0.0001', min_trade_increment: '0.0001', price_increment: '1' });
    await s.quote(symbol, '40000');
    const id = await s.send(f, {
      symbol,
      action: 'openLong',
      quantity: 0.1,
      exitRules: { stopLoss: { type: 'PERCENT', value: 5 } },
    });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '40000.37');
    const [leg] = await s.waitFor(
      'stop at Alpaca',
      () => s.db.prisma.order.findMany({ where: { signalId: id, role: 'STOP_LOSS' } }),
      (l) => l.length === 1 && l[0]?.status === 'ACCEPTED',
    );
    expect(server.book.toJson(server.order(leg?.id ?? ''), false)).toMatchObject({
      type: 'stop_limit',
      side: 'sell',
      qty: '0.1',
      time_in_force: 'gtc',
      stop_price: '38000',
      limit_price: '37050',
    });
    expect(server.refusals).toEqual([]);
  });

  it.each<[string, Partial<IngestRequest>, string]>([
    ['openShort', { action: 'openShort', quantity: 0.1 }, 'NOT_SHORTABLE'],
    ['DAY asked', { action: 'openLong', quantity: 0.1, timeInForce: 'DAY' }, 'ORDER_NOT_SUPPORTED'],
    [
      'stop loss + take profit',
      {
        action: 'openLong',
        quantity: 0.1,
        exitRules: { stopLoss: { type: 'PERCENT', value: 5 }, takeProfit: { type: 'PERCENT', value: 5 } },
      },
      'EXITS_NOT_SUPPORTED',
    ],
    [
      'a trailing stop',
      { action: 'openLong', quantity: 0.1, exitRules: { trailingStop: { type: 'PERCENT', value: 2 } } },
      'EXITS_NOT_SUPPORTED',
    ],
  ])('%s: REJECTED up front (%s), nothing sent', async (_name, body, code) => {
    const f = await crypto();
    await s.quote('BTC/USD', '40000');
    const before = posted('BTC/USD').length;
    const id = await s.send(f, { symbol: 'BTC/USD', ...body });
    expect(await s.until(id, ['REJECTED'])).toMatchObject({ errorCode: code });
    expect(posted('BTC/USD')).toHaveLength(before);
  });
});
