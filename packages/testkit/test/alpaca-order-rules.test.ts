import { aroundServer, call, order } from './alpaca-support';

/**
 * The Alpaca contract server refuses what Alpaca documents it refuses (each rule's source is
 * beside it in src/alpaca/*-rules.ts). Over HTTP, as a client sees it.
 */
const server = aroundServer({ pendingCancelMs: 0 });

const sell = (symbol: string, extra: Record<string, unknown> = {}) => ({
  symbol,
  qty: '10',
  side: 'sell',
  type: 'stop',
  stop_price: '95',
  time_in_force: 'gtc',
  ...extra,
});
const oco = (symbol: string, qty = '10') => ({
  symbol,
  qty,
  side: 'sell',
  type: 'limit',
  time_in_force: 'gtc',
  order_class: 'oco',
  take_profit: { limit_price: '105' },
  stop_loss: { stop_price: '95' },
});

describe('reserved shares: one closing order per share', () => {
  it('an OCO holds the position once (its two legs count once); a second closing order for the same shares is 403 40310000', async () => {
    server().setPosition('AAPL', '10', '100');
    expect((await order(server(), oco('AAPL'))).status).toBe(200);
    const second = await order(
      server(),
      sell('AAPL', { type: 'trailing_stop', stop_price: undefined, trail_percent: '3' }),
    );
    expect(second).toMatchObject({
      status: 403,
      body: { code: 40310000, message: 'insufficient qty available for order (requested: 10, available: 0)' },
    });
  });

  it('what is left over can still be sold; more than the position (a flip) is refused', async () => {
    server().setPosition('MSFT', '10', '100');
    expect((await order(server(), sell('MSFT', { qty: '4' }))).status).toBe(200);
    expect((await order(server(), sell('MSFT', { qty: '6' }))).status).toBe(200);
    server().setPosition('IBM', '10', '100');
    expect(
      await order(server(), sell('IBM', { qty: '15', type: 'market', stop_price: undefined, time_in_force: 'day' })),
    ).toMatchObject({
      status: 403,
      body: { message: 'insufficient qty available for order (requested: 15, available: 10)' },
    });
  });

  it('an order whose cancel is still pending keeps its shares; once canceled they are free', async () => {
    server().pendingCancelMs = 60_000;
    server().setPosition('AMD', '10', '100');
    const first = await order(server(), oco('AMD'));
    expect((await call(server(), 'DELETE', `/v2/orders/${String(first.body.id)}`)).status).toBe(204);
    expect(server().order(String(first.body.id)).status).toBe('pending_cancel');
    expect((await order(server(), sell('AMD'))).status).toBe(403);
  });
});

describe('shorts, flips and orders on the other side', () => {
  it('a sell when flat is a short sale: refused for an asset that is not shortable, and for a fractional quantity', async () => {
    server().setAsset('HTB', { easy_to_borrow: false });
    expect(
      await order(server(), { ...sell('HTB'), type: 'market', stop_price: undefined, time_in_force: 'day' }),
    ).toMatchObject({
      status: 403,
      body: { code: 40310000, message: 'asset HTB cannot be sold short' },
    });
    expect(
      await order(server(), {
        ...sell('SPY'),
        qty: '1.5',
        type: 'market',
        stop_price: undefined,
        time_in_force: 'day',
      }),
    ).toMatchObject({ status: 403, body: { message: 'fractional orders cannot be sold short' } });
  });

  it('flat with a sell open: a buy is refused (403); holding a position with an opposite order open: a potential wash trade (422)', async () => {
    await order(server(), {
      symbol: 'NFLX',
      qty: '5',
      side: 'sell',
      type: 'limit',
      limit_price: '500',
      time_in_force: 'day',
    });
    expect(
      await order(server(), { symbol: 'NFLX', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }),
    ).toMatchObject({
      status: 403,
      body: { code: 40310000, message: 'cannot open a long buy while a short sell order is open' },
    });
    server().setPosition('TSLA', '10', '200');
    await order(server(), { ...oco('TSLA'), take_profit: { limit_price: '250' }, stop_loss: { stop_price: '150' } });
    expect(
      await order(server(), { symbol: 'TSLA', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' }),
    ).toMatchObject({
      status: 422,
      body: { code: 42210000, message: 'potential wash trade detected. use complex orders' },
    });
  });

  it("a bracket's legs are held until its entry fills, and held legs are not working orders", async () => {
    const bracket = await order(server(), {
      symbol: 'ORCL',
      qty: '2',
      side: 'buy',
      type: 'limit',
      limit_price: '100',
      time_in_force: 'gtc',
      order_class: 'bracket',
      take_profit: { limit_price: '110' },
      stop_loss: { stop_price: '90' },
    });
    expect(bracket.status).toBe(200);
    const legs = server()
      .order(String(bracket.body.id))
      .legIds.map((id) => server().order(id).status);
    expect(legs).toEqual(['held', 'held']);
    // The held sell legs do not make another buy a wash trade.
    expect(
      (await order(server(), { symbol: 'ORCL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' })).status,
    ).toBe(200);
    server().fill(String(bracket.body.id), '100');
    expect(
      server()
        .order(String(bracket.body.id))
        .legIds.map((id) => server().order(id).status),
    ).toEqual(['new', 'new']);
  });
});

describe('crypto (a symbol with "/")', () => {
  const btc = (extra: Record<string, unknown>) => ({
    symbol: 'BTC/USD',
    qty: '0.5',
    side: 'buy',
    type: 'market',
    time_in_force: 'gtc',
    ...extra,
  });

  it.each([
    [{ time_in_force: 'day' }, 'invalid crypto time_in_force: day'],
    [{ time_in_force: 'fok' }, 'invalid crypto time_in_force: fok'],
    [{ type: 'stop', stop_price: '40000' }, 'invalid crypto order type: stop'],
    [{ type: 'trailing_stop', trail_percent: '2' }, 'invalid crypto order type: trailing_stop'],
    [{ qty: '0.00005' }, 'qty must be >= 0.0001 (min_order_size)'],
    [{ qty: '0.00015' }, 'qty must be a multiple of 0.0001 (min_trade_increment)'],
    [{ type: 'limit', limit_price: '43000.5' }, 'invalid limit_price 43000.5. must be a multiple of price_increment 1'],
  ])('%j is refused: %s', async (extra, message) => {
    expect(await order(server(), btc(extra))).toMatchObject({ status: 422, body: { code: 42210000, message } });
  });

  it('gtc or ioc market, limit and stop_limit are taken; no OCO; no selling what is not held', async () => {
    expect((await order(server(), btc({}))).status).toBe(200);
    expect((await order(server(), btc({ type: 'limit', limit_price: '43000', time_in_force: 'ioc' }))).status).toBe(
      200,
    );
    expect((await order(server(), btc({ type: 'stop_limit', stop_price: '45000', limit_price: '45100' }))).status).toBe(
      200,
    );
    server().setPosition('BTC/USD', '1', '40000');
    expect(
      await order(server(), {
        ...oco('BTC/USD', '1'),
        take_profit: { limit_price: '50000' },
        stop_loss: { stop_price: '30000' },
      }),
    ).toMatchObject({
      status: 422,
      body: { message: 'crypto orders do not support order_class oco' },
    });
    expect(await order(server(), btc({ side: 'sell', qty: '2', symbol: 'ETH/USD' }))).toMatchObject({
      status: 403,
      body: { message: 'insufficient balance for ETH (requested: 2, available: 0)' },
    });
  });
});

describe('fractional quantities', () => {
  const frac = (extra: Record<string, unknown>) => ({
    symbol: 'AAPL',
    qty: '2.5',
    side: 'buy',
    type: 'market',
    time_in_force: 'day',
    ...extra,
  });

  it.each([
    [{ time_in_force: 'gtc' }, 'fractional orders must be day orders'],
    [{ type: 'stop', stop_price: '150' }, 'fractional orders must be market or limit orders'],
    [
      { type: 'limit', limit_price: '150', order_class: 'oto', stop_loss: { stop_price: '140' } },
      'fractional orders must be simple orders',
    ],
  ])('%j is refused: %s', async (extra, message) => {
    expect(await order(server(), frac(extra))).toMatchObject({ status: 422, body: { message } });
  });

  it('day market and limit are taken; an asset that is not fractionable is refused', async () => {
    expect((await order(server(), frac({}))).status).toBe(200);
    expect((await order(server(), frac({ type: 'limit', limit_price: '150' }))).status).toBe(200);
    server().setAsset('BRK.A', { fractionable: false });
    expect(await order(server(), frac({ symbol: 'BRK.A' }))).toMatchObject({
      status: 422,
      body: { message: 'requested asset is not fractionable' },
    });
  });
});

describe('prices', () => {
  const limit = (price: string) => ({
    symbol: 'AAPL',
    qty: '1',
    side: 'buy',
    type: 'limit',
    limit_price: price,
    time_in_force: 'day',
  });

  it('at or above $1: two decimals; below $1: four (422 42210000, the documented message)', async () => {
    expect(await order(server(), limit('150.123'))).toMatchObject({
      status: 422,
      body: {
        code: 42210000,
        message: 'invalid limit_price 150.123. sub-penny increment does not fulfill minimum pricing criteria',
      },
    });
    expect((await order(server(), limit('0.12345'))).status).toBe(422);
    expect((await order(server(), limit('150.12'))).status).toBe(200);
    expect((await order(server(), limit('0.1234'))).status).toBe(200);
    server().setPosition('AAPL', '1', '150');
    expect(await order(server(), { ...oco('AAPL', '1'), stop_loss: { stop_price: '95.001' } })).toMatchObject({
      status: 422,
      body: {
        message: 'invalid stop_loss.stop_price 95.001. sub-penny increment does not fulfill minimum pricing criteria',
      },
    });
  });

  it("a stop-loss leg's stop must be 0.01 away from its base price: the OCO's target, and the market price when known", async () => {
    server().setPosition('KO', '10', '60');
    expect(
      await order(server(), { ...oco('KO'), take_profit: { limit_price: '60' }, stop_loss: { stop_price: '59.995' } }),
    ).toMatchObject({
      status: 422,
    });
    expect(
      await order(server(), { ...oco('KO'), take_profit: { limit_price: '60' }, stop_loss: { stop_price: '60' } }),
    ).toMatchObject({
      status: 422,
      body: { message: 'stop_loss.stop_price must be at least 0.01 below base price 60' },
    });
    server().setPrice('KO', '55');
    expect(
      await order(server(), { ...oco('KO'), take_profit: { limit_price: '70' }, stop_loss: { stop_price: '56' } }),
    ).toMatchObject({
      status: 422,
      body: { message: 'stop_loss.stop_price must be at least 0.01 below base price 55' },
    });
    expect(
      (await order(server(), { ...oco('KO'), take_profit: { limit_price: '70' }, stop_loss: { stop_price: '54.99' } }))
        .status,
    ).toBe(200);
  });
});

describe('ids', () => {
  it('a second order with the same client_order_id is 422 "client_order_id must be unique"', async () => {
    const body = {
      symbol: 'AAPL',
      qty: '1',
      side: 'buy',
      type: 'market',
      time_in_force: 'day',
      client_order_id: 'abc-1',
    };
    expect((await order(server(), body)).status).toBe(200);
    expect(await order(server(), body)).toMatchObject({
      status: 422,
      body: { code: 40010001, message: 'client_order_id must be unique' },
    });
  });
});
