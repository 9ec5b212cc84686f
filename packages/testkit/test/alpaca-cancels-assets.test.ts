import { startAlpacaServer } from '../src';
import { aroundServer, call, order, until } from './alpaca-support';

const server = aroundServer({ pendingCancelMs: 40 });

const limitSell = (symbol: string) => ({
  symbol,
  qty: '10',
  side: 'sell',
  type: 'limit',
  limit_price: '110',
  time_in_force: 'gtc',
});

describe('cancels are asynchronous', () => {
  it('DELETE answers 204 at once; the order is pending_cancel, then canceled, with both events', async () => {
    server().setPosition('AAPL', '10', '100');
    const placed = await order(server(), limitSell('AAPL'));
    const id = String(placed.body.id);
    expect((await call(server(), 'DELETE', `/v2/orders/${id}`)).status).toBe(204);
    expect((await call(server(), 'GET', `/v2/orders/${id}`)).body.status).toBe('pending_cancel');
    await until(() => server().order(id).status === 'canceled');
    expect(server().events.map((e) => e.event)).toEqual(['new', 'pending_cancel', 'canceled']);
  });

  it('a fill that races the cancel wins: the order is filled and the cancel rejected (order_cancel_rejected)', async () => {
    server().setPosition('MSFT', '10', '100');
    const id = String((await order(server(), limitSell('MSFT'))).body.id);
    await call(server(), 'DELETE', `/v2/orders/${id}`);
    server().fill(id, '110');
    await until(() => server().events.some((e) => e.event === 'order_cancel_rejected'));
    expect(server().order(id).status).toBe('filled');
    expect(server().events.map((e) => e.event)).toEqual(['new', 'pending_cancel', 'fill', 'order_cancel_rejected']);
  });

  it('a rejected cancel: the order goes back to working (order_cancel_rejected), its shares still held', async () => {
    server().setPosition('IBM', '10', '100');
    const id = String((await order(server(), limitSell('IBM'))).body.id);
    server().rejectCancel.add(id);
    await call(server(), 'DELETE', `/v2/orders/${id}`);
    await until(() => server().events.some((e) => e.event === 'order_cancel_rejected'));
    expect(server().order(id).status).toBe('new');
    expect((await order(server(), limitSell('IBM'))).status).toBe(403);
  });

  it('an order already final, or pending_replace, is not cancelable (422); an unknown one is 404', async () => {
    const id = String(
      (await order(server(), { symbol: 'KO', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' })).body.id,
    );
    server().fill(id, '60');
    expect((await call(server(), 'DELETE', `/v2/orders/${id}`)).body).toEqual({
      code: 42210000,
      message: 'order is not cancelable',
    });
    expect((await call(server(), 'DELETE', '/v2/orders/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});

describe('assets', () => {
  it('an equity by symbol; a crypto pair by "BTC/USD", "BTC%2FUSD" or the legacy "BTCUSD", with its increments', async () => {
    expect((await call(server(), 'GET', '/v2/assets/AAPL')).body).toMatchObject({
      class: 'us_equity',
      symbol: 'AAPL',
      tradable: true,
      fractionable: true,
      shortable: true,
    });
    for (const path of ['/v2/assets/BTC/USD', '/v2/assets/BTC%2FUSD', '/v2/assets/BTCUSD'])
      expect((await call(server(), 'GET', path)).body).toMatchObject({
        class: 'crypto',
        symbol: 'BTC/USD',
        shortable: false,
        fractionable: true,
        min_order_size: '0.0001',
        min_trade_increment: '0.0001',
        price_increment: '1',
      });
    expect((await call(server(), 'GET', '/v2/assets/DOGE/EUR')).status).toBe(404);
    const list = await call(server(), 'GET', '/v2/assets?asset_class=crypto&status=active');
    expect((list.body as unknown as { symbol: string }[]).map((a) => a.symbol)).toEqual(['BTC/USD', 'ETH/USD']);
  });

  it('a test can change an asset; an order for an asset that is not tradable is refused', async () => {
    server().setAsset('GME', { tradable: false });
    expect((await call(server(), 'GET', '/v2/assets/GME')).body).toMatchObject({ tradable: false });
    expect(
      await order(server(), { symbol: 'GME', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }),
    ).toMatchObject({
      status: 422,
      body: { message: 'asset GME is not tradable' },
    });
  });
});

describe('the request budget', () => {
  it('past the limit in the window: 429 with X-RateLimit-* headers; the next window is open again', async () => {
    const small = await startAlpacaServer({ rateLimit: { requests: 3, windowMs: 300 } });
    try {
      for (let i = 0; i < 3; i++) expect((await call(small, 'GET', '/v2/account')).status).toBe(200);
      const refused = await call(small, 'GET', '/v2/account');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('x-ratelimit-limit')).toBe('3');
      expect(refused.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(Number(refused.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(Math.floor(Date.now() / 1000));
      await new Promise((r) => setTimeout(r, 320));
      expect((await call(small, 'GET', '/v2/account')).status).toBe(200);
    } finally {
      await small.close();
    }
  });

  it("Alpaca's 200 requests a minute by default", () => {
    expect(server().window.limit).toEqual({ requests: 200, windowMs: 60_000 });
  });
});
