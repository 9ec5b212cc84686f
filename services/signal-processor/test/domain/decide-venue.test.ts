/** decide(): what the account's venue cannot carry out is refused up front, before any order exists. */
import type { Action, ExitRules } from '@utm/contracts';
import { Decimal } from '@utm/db';
import type { VenueKind } from '@utm/trading';
import type { SymbolSnapshot } from '../../src/domain';
import { decide } from '../../src/domain/decide';
import { account, expectAccepted, expectRejected, holding, NOW, request, symbol } from './helpers';

const stopAndTarget: ExitRules = {
  stopLoss: { type: 'PERCENT', value: 2 },
  takeProfit: { type: 'PERCENT', value: 4 },
};
const trailing: ExitRules = { trailingStop: { type: 'PERCENT', value: 1 } };

describe('decide: the venue (a ccxt spot account is long only and holds no trailing stop)', () => {
  it.each<[string, VenueKind, Action, string, ExitRules | undefined, string]>([
    ['a short on spot', 'ccxt', 'openShort', '0', undefined, 'NOT_SHORTABLE'],
    ['a reverse to short on spot, even from a long', 'ccxt', 'reverseToShort', '10', undefined, 'NOT_SHORTABLE'],
    ['a trailing stop at a ccxt exchange', 'ccxt', 'openLong', '0', trailing, 'EXITS_NOT_SUPPORTED'],
  ])('refuses %s', (_what, venue, action, position, exitRules, code) => {
    const req = request(action, { quantity: 1, ...(exitRules ? { exitRules } : {}) });
    const r = expectRejected(decide(req, account({ venue }), holding(position), NOW));
    expect(r.code).toBe(code);
    expect(r.message).toMatch(venue);
  });

  it.each<[string, VenueKind, Action, string, ExitRules | undefined]>([
    ['a long with stop loss and take profit on spot', 'ccxt', 'openLong', '0', stopAndTarget],
    ['a close of a spot long', 'ccxt', 'closeLong', '10', undefined],
    ['a reverse to long on spot', 'ccxt', 'reverseToLong', '0', stopAndTarget],
    ['a short on paper', 'paper', 'openShort', '0', undefined],
    ['a trailing stop at Alpaca', 'alpaca', 'openLong', '0', trailing],
  ])('accepts %s', (_what, venue, action, position, exitRules) => {
    const req = request(action, { quantity: 1, ...(exitRules ? { exitRules } : {}) });
    expectAccepted(decide(req, account({ venue }), position === '0' ? symbol() : holding(position), NOW));
  });
});

describe("decide: a crypto exchange's instrument rules (instrument_rules under ccxt:<exchange>)", () => {
  const rules = {
    venue: 'ccxt:binance',
    symbol: 'BTC/USDT',
    assetClass: 'spot',
    tradable: true,
    shortable: false,
    fractionable: true,
    quantityStep: new Decimal('0.00001'),
    minQuantity: new Decimal('0.00001'),
    tickSize: new Decimal('0.01'),
    minNotional: new Decimal('5'),
    fetchedAt: NOW,
  };
  const btc = (over: Partial<SymbolSnapshot> = {}) =>
    symbol({
      symbol: 'BTC/USDT',
      quote: new Decimal('65000'),
      instrument: { quantityStep: new Decimal('0.000001'), tickSize: null, venue: 'ccxt:binance', rules },
      ...over,
    });
  const ccxt = account({ venue: 'ccxt', allowFractional: true });

  it.each([
    [
      '0.00005 BTC (3.25)',
      0.00005,
      'FIXED',
      'MIN_NOTIONAL',
      /0.00005 × 65000 = 3.25 is below the ccxt:binance minimum notional for BTC\/USDT, 5/,
    ],
    ['0.000001 BTC', 0.000001, 'FIXED', 'ZERO_QUANTITY', /rounds down to 0 at a quantity step of 0.00001/],
  ] as const)('refuses %s before any order exists', (_what, quantity, quantityType, code, message) => {
    const req = request('openLong', { symbol: 'BTC/USDT', quantity, quantityType });
    const r = expectRejected(decide(req, ccxt, btc(), NOW));
    expect(r.code).toBe(code);
    expect(r.message).toMatch(message);
  });

  it('sizes to the lot step (100 dollars at 65,000: 0.00153)', () => {
    const req = request('openLong', { symbol: 'BTC/USDT', quantity: 100, quantityType: 'DOLLAR_AMOUNT' });
    const a = expectAccepted(decide(req, ccxt, btc(), NOW));
    expect(a.orders[0]?.quantity.toFixed()).toBe('0.00153');
  });
});
