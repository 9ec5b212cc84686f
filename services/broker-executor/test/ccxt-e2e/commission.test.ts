import type { BinanceSpotServer } from '@utm/testkit';
import { Decimal } from '@utm/db';
import { ccxtConnection } from '../../src/venues/ccxt';
import { orderSymbol } from '../../src/repositories/orders';
import { aroundBinanceStack } from '../support/ccxt';
import { Stack } from '../support/stack';

/**
 * Binance takes its commission in the asset received (rest-api.md "New order": fills[].commission,
 * commissionAsset; "Account trade list"; 0.1% by default without BNB): a buy of 0.01 BTC leaves
 * 0.00999 BTC. Exits of the filled 0.01 would be refused for insufficient balance, leaving the
 * position without them: the venue reports fills net of commission, so the position, its exits
 * and a close are what the account holds, and cash is what it paid.
 */
describe('a ccxt (Binance spot) account whose exchange takes commission in the asset bought', () => {
  let server: BinanceSpotServer;
  const s: Stack = new Stack({
    brokerFor: (account) =>
      ccxtConnection(
        account,
        { apiKey: server.apiKey, secret: server.secret },
        {
          timeoutMs: 700,
          pollIntervalMs: 100,
          symbolOf: (id) => orderSymbol(s.db.pool, id),
          urls: server.ccxtUrls(),
          enableRateLimit: false,
        },
      ),
  });
  aroundBinanceStack(s, (started) => {
    server = started;
    server.setCommission('0.001');
  });

  it('the position is what was received; exits and a close are sized to it, and accepted', async () => {
    server.setPrice('BTCUSDT', '65000');
    const f = await s.fixture({ broker: 'ccxt', exchange: 'binance', allowFractional: true });
    const exitRules = { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 4 } } as const;
    const id = await s.send(f, { symbol: 'BTC/USDT', price: 65000, action: 'openLong', quantity: 0.01, exitRules });
    await s.until(id, ['FILLED']);
    const legs = await s.waitFor(
      'exit legs accepted',
      async () => (await s.signal(id)).orders.filter((o) => o.role !== 'ENTRY'),
      (l) => l.length === 2 && l.every((o) => o.status === 'ACCEPTED'),
    );
    expect(legs.map((o) => o.quantity.toFixed())).toEqual(['0.00999', '0.00999']);
    const entry = (await s.signal(id)).orders.find((o) => o.role === 'ENTRY');
    expect([entry?.status, entry?.filledQuantity.toFixed()]).toEqual(['FILLED', '0.00999']);
    const account = await s.account(f.accountId);
    expect(account.positions['BTC/USDT']?.quantity).toBe('0.00999');
    expect(new Decimal(account.cash).toDecimalPlaces(6).toFixed()).toBe('99350');
    expect(server.calls('POST', '/api/v3/orderList/oco')[0]?.params.get('quantity')).toBe('0.00999');

    const close = await s.until(await s.send(f, { symbol: 'BTC/USDT', price: 65000, action: 'closeLong' }), ['FILLED']);
    expect(close.orders[0]?.quantity.toFixed()).toBe('0.00999');
    expect(server.book.balance('BTC').free.toFixed()).toBe('0');
    // 0.00999 × 65000 = 649.35, less 0.1% kept in USDT: 648.70065 back.
    expect(new Decimal((await s.account(f.accountId)).cash).toDecimalPlaces(6).toFixed()).toBe('99998.70065');
  });
});
