import type { ExitRules } from '@utm/contracts';
import type { InstrumentRules } from '@utm/db';
import { decide, WHOLE_SHARE, type Decision, type SymbolSnapshot } from '../../src/domain';
import { account, D, holding, NOW, request, symbol } from './helpers';

/**
 * Decisions for an Alpaca account: the order already shaped as Alpaca takes it, or refused
 * before anything is sent with the venue's reason (sources in @utm/trading's alpaca.ts).
 */
const btc: InstrumentRules = {
  venue: 'alpaca',
  symbol: 'BTC/USD',
  assetClass: 'crypto',
  tradable: true,
  shortable: false,
  fractionable: true,
  quantityStep: D('0.0001'),
  minQuantity: D('0.0001'),
  tickSize: D('1'),
  minNotional: null,
  fetchedAt: new Date(),
};
const at = (rules: InstrumentRules | null, over: Partial<SymbolSnapshot> = {}): SymbolSnapshot =>
  symbol({ ...over, instrument: { quantityStep: WHOLE_SHARE, tickSize: null, venue: 'alpaca', rules } });
const crypto = (over: Partial<SymbolSnapshot> = {}) => at(btc, { symbol: 'BTC/USD', quote: D('43000'), ...over });

const view = (d: Decision) =>
  d.kind === 'reject'
    ? { code: d.code }
    : {
        orders: d.orders.map((o) => ({
          role: o.role,
          type: o.type,
          tif: o.timeInForce,
          qty: o.quantity.toFixed(),
          limit: o.limitPrice?.toFixed() ?? null,
          stop: o.stopPrice?.toFixed() ?? null,
        })),
        notes: d.notes.length,
      };

const SL: ExitRules['stopLoss'] = { type: 'PERCENT', value: 5 };
const TP: ExitRules['takeProfit'] = { type: 'PERCENT', value: 5 };
const TS: ExitRules['trailingStop'] = { type: 'PERCENT', value: 3 };

describe('decide at Alpaca', () => {
  it('crypto: 0.5 BTC/USD is sized on the asset increment (not whole units), GTC when the signal gave no time in force', () => {
    const d = decide(request('openLong', { symbol: 'BTC/USD', quantity: 0.5 }), account(), crypto(), NOW, {
      timeInForceGiven: false,
    });
    expect(view(d)).toEqual({
      orders: [{ role: 'ENTRY', type: 'MARKET', tif: 'GTC', qty: '0.5', limit: null, stop: null }],
      notes: 1,
    });
  });

  it('crypto: a dollar amount rounds down to the increment; below the minimum it is refused', () => {
    const d = decide(
      request('openLong', { symbol: 'BTC/USD', quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }),
      account(),
      crypto(),
      NOW,
      { timeInForceGiven: false },
    );
    expect(d.kind === 'accept' && d.orders[0]?.quantity.toFixed()).toBe('0.0232');
    const tiny = decide(
      request('openLong', { symbol: 'BTC/USD', quantity: 2, quantityType: 'DOLLAR_AMOUNT' }),
      account(),
      crypto(),
      NOW,
      { timeInForceGiven: false },
    );
    expect(tiny).toMatchObject({ kind: 'reject', code: 'ZERO_QUANTITY' });
    const small = decide(request('openLong', { symbol: 'BTC/USD', quantity: 0.00005 }), account(), crypto(), NOW, {
      timeInForceGiven: false,
    });
    expect(small).toMatchObject({ kind: 'reject', code: 'ZERO_QUANTITY' });
  });

  it('crypto: a STOP goes as a STOP_LIMIT (limit 2.5% past the stop, on the $1 tick)', () => {
    const d = decide(
      request('openLong', { symbol: 'BTC/USD', quantity: 0.1, orderType: 'STOP', stopPrice: 44000.4 }),
      account(),
      crypto(),
      NOW,
      { timeInForceGiven: false },
    );
    expect(view(d)).toMatchObject({
      orders: [{ type: 'STOP_LIMIT', tif: 'GTC', stop: '44001', limit: '45102' }],
    });
  });

  it.each([
    ['crypto short', request('openShort', { symbol: 'BTC/USD', quantity: 1 }), crypto(), 'NOT_SHORTABLE'],
    ['crypto DAY asked', request('openLong', { symbol: 'BTC/USD', quantity: 1 }), crypto(), 'ORDER_NOT_SUPPORTED'],
    [
      'crypto stop + target',
      request('openLong', { symbol: 'BTC/USD', quantity: 1, exitRules: { stopLoss: SL, takeProfit: TP } }),
      crypto(),
      'EXITS_NOT_SUPPORTED',
    ],
    [
      'crypto trailing stop',
      request('openLong', { symbol: 'BTC/USD', quantity: 1, exitRules: { trailingStop: TS } }),
      crypto(),
      'EXITS_NOT_SUPPORTED',
    ],
    [
      'stock stop + trailing stop',
      request('openLong', { quantity: 10, exitRules: { stopLoss: SL, trailingStop: TS } }),
      at(null),
      'EXITS_NOT_SUPPORTED',
    ],
    [
      'adding to a position whose exits work (wash trade)',
      request('openLong', { quantity: 1 }),
      at(null, { ...holding(10), openExitOrderIds: ['x'] }),
      'WASH_TRADE',
    ],
    [
      'a short of an asset Alpaca cannot borrow',
      request('openShort', { quantity: 1 }),
      at({ ...btc, symbol: 'AAPL', assetClass: 'us_equity', shortable: false, tickSize: null, quantityStep: null }),
      'NOT_SHORTABLE',
    ],
  ])('%s: refused up front', (_n, req, sym, code) => {
    expect(decide(req, account(), sym, NOW, { timeInForceGiven: true })).toMatchObject({ kind: 'reject', code });
  });

  it('a stop loss + take profit (one OCO) and a trailing stop alone are taken', () => {
    for (const exitRules of [{ stopLoss: SL, takeProfit: TP }, { trailingStop: TS }])
      expect(decide(request('openLong', { quantity: 10, exitRules }), account(), at(null), NOW).kind).toBe('accept');
  });

  it('prices on the tick, never worse than asked: a buy limit of 150.123 goes at 150.12 (a note says so)', () => {
    const d = decide(
      request('openLong', { quantity: 1, orderType: 'LIMIT', limitPrice: 150.123 }),
      account(),
      at(null),
      NOW,
    );
    expect(view(d)).toEqual({
      orders: [{ role: 'ENTRY', type: 'LIMIT', tif: 'DAY', qty: '1', limit: '150.12', stop: null }],
      notes: 1,
    });
    const sell = decide(
      request('openShort', { quantity: 1, orderType: 'LIMIT', limitPrice: 150.123 }),
      account(),
      at(null),
      NOW,
    );
    expect(sell.kind === 'accept' && sell.orders[0]?.limitPrice?.toFixed()).toBe('150.13');
  });

  it('fractions: a dollar amount without exits is fractional; with exits, whole shares (GTC exits)', () => {
    const frac = account({ allowFractional: true });
    const plain = decide(request('openLong', { quantity: 500, quantityType: 'DOLLAR_AMOUNT' }), frac, at(null), NOW);
    expect(plain.kind === 'accept' && plain.orders[0]?.quantity.toFixed()).toBe('3.333333');
    const withExits = decide(
      request('openLong', { quantity: 500, quantityType: 'DOLLAR_AMOUNT', exitRules: { stopLoss: SL } }),
      frac,
      at(null),
      NOW,
    );
    expect(withExits.kind === 'accept' && withExits.orders[0]?.quantity.toFixed()).toBe('3');
  });

  it('a fractional position is closed DAY even when the close asked GTC (a note says so); as a stop it is refused', () => {
    const sym = at(null, holding('2.5'));
    const d = decide(request('closeLong', { timeInForce: 'GTC' }), account({ allowFractional: true }), sym, NOW);
    expect(view(d)).toEqual({
      orders: [{ role: 'CLOSE', type: 'MARKET', tif: 'DAY', qty: '2.5', limit: null, stop: null }],
      notes: 1,
    });
    expect(
      decide(request('closeLong', { orderType: 'STOP', stopPrice: 140 }), account({ allowFractional: true }), sym, NOW),
    ).toMatchObject({ kind: 'reject', code: 'ORDER_NOT_SUPPORTED' });
  });
});
