import { startAlpacaServer, uniqueSymbol, type AlpacaTestServer } from '@utm/testkit';
import { alpacaConnection } from '../support/alpaca';
import { Stack } from '../support/stack';

/**
 * Alpaca answers 429 past its request budget (200 a minute per key; here 16 per 2 s, so that a
 * test can reach it). The executor's budget, shared by placement, polling and reconciliation,
 * keeps every request within it: a burst of signals is placed, none answered 429.
 */
describe("an Alpaca account's request budget", () => {
  let server: AlpacaTestServer;
  const s = new Stack({ brokerFor: () => alpacaConnection(server), reconcileIntervalMs: 1000 });
  beforeAll(async () => {
    server = await startAlpacaServer({ rateLimit: { requests: 16, windowMs: 2000 } });
    await s.start();
  });
  afterAll(async () => {
    await s.stop();
    await server.close();
  });

  it('a burst of signals (with reconciliation running) is placed without a single 429', async () => {
    const f = await s.fixture({ broker: 'alpaca', cash: '1000000' });
    const symbols = Array.from({ length: 12 }, () => uniqueSymbol('RB'));
    for (const symbol of symbols) await s.quote(symbol, '10');
    const ids = await Promise.all(symbols.map((symbol) => s.send(f, { symbol, action: 'openLong', quantity: 1 })));
    for (const id of ids) await s.until(id, ['SUBMITTED'], undefined, 30_000);
    // More requests than one window allows were made, and none was refused.
    expect(server.requests.length).toBeGreaterThan(16);
    expect(server.window.refused).toBe(0);
    expect(server.calls('POST', '/v2/orders')).toHaveLength(12);
  });
});
