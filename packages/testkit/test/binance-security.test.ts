/**
 * The Binance spot stand-in refuses what Binance refuses about request security, shown with the
 * real ccxt client (its REST URLs pointed at the stand-in): signatures, API keys, timestamps
 * and recvWindow; and it answers loadMarkets with the documented exchangeInfo filters.
 */
import { createHmac } from 'node:crypto';
import { startBinanceServer, type BinanceSpotServer } from '../src/binance/server';
import { ccxtFor, failure } from './binance-support';

let server: BinanceSpotServer;
beforeEach(async () => {
  server = await startBinanceServer();
});
afterEach(async () => {
  await server.close();
});

describe('Binance stand-in: request security, through ccxt', () => {
  it('serves exchangeInfo: ccxt reads tick size, lot size and minimum notional from its filters', async () => {
    const markets = await ccxtFor(server).loadMarkets();
    const btc = markets['BTC/USDT'];
    expect(btc).toMatchObject({
      id: 'BTCUSDT',
      spot: true,
      precision: { amount: 0.00001, price: 0.01 },
      limits: { amount: { min: 0.00001, max: 9000 }, price: { min: 0.01 }, cost: { min: 5 } },
    });
    expect(server.calls('GET', '/api/v3/exchangeInfo')).toHaveLength(1);
  });

  it('accepts a correctly signed request and verifies the HMAC over query string + body', async () => {
    const ex = ccxtFor(server);
    await expect(ex.fetchBalance()).resolves.toMatchObject({ USDT: { free: 100000 } });
    const [call] = server.calls('GET', '/api/v3/account');
    expect(call?.headers['x-mbx-apikey']).toBe(server.apiKey);
    expect(call?.params.get('timestamp')).toMatch(/^\d{13}$/);
  });

  it('matches the documented HMAC example (rest-api.md, "SIGNED Endpoint Examples")', async () => {
    // The docs' own key, secret and payload; their signature is c8db5682…6b71.
    const payload =
      'symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559';
    const signature = createHmac('sha256', server.secret).update(payload).digest('hex');
    expect(signature).toBe('c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71');
    // The stand-in reads that signature and the timestamp (long past): -1021, not -1022.
    const res = await fetch(`${server.url}/api/v3/order?${payload}&signature=${signature.toUpperCase()}`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': server.apiKey },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });
  });

  it('refuses a wrong secret (-1022), an unknown key (-2015) and a missing key (-2014)', async () => {
    expect(await failure(ccxtFor(server, { secret: 'not-the-secret' }).fetchBalance())).toEqual({
      code: -1022,
      msg: 'Signature for this request is not valid.',
    });
    expect(await failure(ccxtFor(server, { apiKey: 'someone-else' }).fetchBalance())).toMatchObject({ code: -2015 });
    const res = await fetch(`${server.url}/api/v3/account?timestamp=${Date.now()}&signature=00`);
    expect([res.status, await res.json()]).toEqual([401, { code: -2014, msg: 'API-key format invalid.' }]);
  });

  it('refuses a request signed with the wrong parameters (tampered body)', async () => {
    const ts = Date.now();
    const body = `symbol=BTCUSDT&side=BUY&type=MARKET&quantity=1&timestamp=${ts}`;
    const signature = createHmac('sha256', server.secret).update(body).digest('hex');
    const res = await fetch(`${server.url}/api/v3/order`, {
      method: 'POST',
      headers: { 'X-MBX-APIKEY': server.apiKey, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: `${body.replace('quantity=1', 'quantity=100')}&signature=${signature}`,
    });
    expect(await res.json()).toMatchObject({ code: -1022 });
  });

  it.each([
    [
      'the client is behind the exchange beyond recvWindow',
      20_000,
      'Timestamp for this request is outside of the recvWindow.',
    ],
    [
      'the client is over 1 s ahead of the exchange',
      -5_000,
      "Timestamp for this request was 1000ms ahead of the server's time.",
    ],
  ])('refuses with -1021 when %s', async (_what, offset, msg) => {
    server.clockOffsetMs = offset;
    expect(await failure(ccxtFor(server).fetchBalance())).toEqual({ code: -1021, msg });
    // ccxt's own remedy (options.adjustForTimeDifference / loadTimeDifference) reads GET /api/v3/time.
    const ex = ccxtFor(server);
    await ex.loadTimeDifference();
    await expect(ex.fetchBalance()).resolves.toBeDefined();
  });

  it('refuses a recvWindow over 60000 (-1131) and a request without timestamp (-1102)', async () => {
    const ex = ccxtFor(server);
    expect(await failure(ex.privateGetAccount({ recvWindow: 60001 }))).toMatchObject({ code: -1131 });
    const signature = createHmac('sha256', server.secret).update('omitZeroBalances=true').digest('hex');
    const res = await fetch(`${server.url}/api/v3/account?omitZeroBalances=true&signature=${signature}`, {
      headers: { 'X-MBX-APIKEY': server.apiKey },
    });
    expect(await res.json()).toMatchObject({ code: -1102 });
  });
});
