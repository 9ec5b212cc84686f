import type { ExitRules } from '@utm/contracts';
import { Decimal, type InstrumentRules } from '@utm/db';
import {
  alpacaExitRefusal,
  alpacaFractionalClose,
  alpacaOrderTerms,
  alpacaTick,
  exitPrices,
  roundOrderPrices,
  stopLimitPrice,
  type OrderAsk,
  type OrderTerms,
} from '../src';

const d = (v: string) => new Decimal(v);

const crypto: InstrumentRules = {
  venue: 'alpaca',
  symbol: 'BTC/USD',
  assetClass: 'crypto',
  tradable: true,
  shortable: false,
  fractionable: true,
  quantityStep: d('0.0001'),
  minQuantity: d('0.0001'),
  tickSize: d('1'),
  minNotional: null,
  fetchedAt: new Date(),
};
const equity = (over: Partial<InstrumentRules> = {}): InstrumentRules => ({
  ...crypto,
  symbol: 'AAPL',
  assetClass: 'us_equity',
  shortable: true,
  quantityStep: null,
  minQuantity: null,
  tickSize: null,
  ...over,
});
const ask = (over: Partial<OrderAsk> = {}): OrderAsk => ({
  symbol: 'AAPL',
  side: 'BUY',
  type: 'MARKET',
  timeInForce: undefined,
  opensShort: false,
  exitRules: null,
  allowFractional: false,
  ...over,
});

const SL: ExitRules['stopLoss'] = { type: 'PERCENT', value: 5 };
const TP: ExitRules['takeProfit'] = { type: 'PERCENT', value: 5 };
const TS: ExitRules['trailingStop'] = { type: 'PERCENT', value: 3 };

describe('exits Alpaca can hold for a position', () => {
  it.each([
    ['stocks: stop loss', { stopLoss: SL }, false, null],
    ['stocks: take profit', { takeProfit: TP }, false, null],
    ['stocks: stop loss + take profit (one OCO)', { stopLoss: SL, takeProfit: TP }, false, null],
    ['stocks: trailing stop', { trailingStop: TS }, false, null],
    ['stocks: stop loss + trailing stop', { stopLoss: SL, trailingStop: TS }, false, 'EXITS_NOT_SUPPORTED'],
    ['stocks: take profit + trailing stop', { takeProfit: TP, trailingStop: TS }, false, 'EXITS_NOT_SUPPORTED'],
    ['stocks: all three', { stopLoss: SL, takeProfit: TP, trailingStop: TS }, false, 'EXITS_NOT_SUPPORTED'],
    ['crypto: stop loss', { stopLoss: SL }, true, null],
    ['crypto: take profit', { takeProfit: TP }, true, null],
    ['crypto: stop loss + take profit', { stopLoss: SL, takeProfit: TP }, true, 'EXITS_NOT_SUPPORTED'],
    ['crypto: trailing stop', { trailingStop: TS }, true, 'EXITS_NOT_SUPPORTED'],
  ] as const)('%s', (_name, exits, isCrypto, code) => {
    expect(alpacaExitRefusal(exits as ExitRules, isCrypto)?.code ?? null).toBe(code);
  });
});

describe('order terms', () => {
  const ok = (t: ReturnType<typeof alpacaOrderTerms>): OrderTerms => {
    if (!t.ok) throw new Error(t.message);
    return t;
  };

  it('stocks: as asked, DAY by default, whole shares unless the account trades fractions', () => {
    const t = ok(alpacaOrderTerms(ask({ type: 'LIMIT', timeInForce: 'GTC' }), equity()));
    expect([t.type, t.timeInForce, t.quantityStep.toFixed(), t.notes]).toEqual(['LIMIT', 'GTC', '1', []]);
    expect(ok(alpacaOrderTerms(ask(), null)).timeInForce).toBe('DAY');
  });

  it.each([
    ['a day market order', {}, '0.000001'],
    ['a day limit order', { type: 'LIMIT' }, '0.000001'],
    ['a GTC order', { timeInForce: 'GTC' }, '1'],
    ['a stop order', { type: 'STOP' }, '1'],
    ['an entry with exits (GTC exits need whole shares)', { exitRules: { stopLoss: SL } }, '1'],
    ['a short sale', { side: 'SELL', opensShort: true }, '1'],
  ] as const)('fractions: %s → step %s', (_n, over, step) => {
    expect(ok(alpacaOrderTerms(ask({ allowFractional: true, ...over }), equity())).quantityStep.toFixed()).toBe(step);
  });

  it('an asset Alpaca does not fraction is traded in whole shares', () => {
    expect(
      ok(alpacaOrderTerms(ask({ allowFractional: true }), equity({ fractionable: false }))).quantityStep.toFixed(),
    ).toBe('1');
  });

  it('crypto: GTC by default, STOP sent as STOP_LIMIT, the asset increments', () => {
    const t = ok(alpacaOrderTerms(ask({ symbol: 'BTC/USD', type: 'STOP' }), crypto));
    expect([t.type, t.timeInForce, t.quantityStep.toFixed(), t.minQuantity?.toFixed()]).toEqual([
      'STOP_LIMIT',
      'GTC',
      '0.0001',
      '0.0001',
    ]);
    expect(t.notes).toHaveLength(2);
    expect(ok(alpacaOrderTerms(ask({ symbol: 'ETH/USD' }), null)).quantityStep.toFixed()).toBe('0.000000001');
  });

  it.each([
    ['crypto short', ask({ symbol: 'BTC/USD', side: 'SELL', opensShort: true }), crypto, 'NOT_SHORTABLE'],
    ['crypto DAY', ask({ symbol: 'BTC/USD', timeInForce: 'DAY' }), crypto, 'ORDER_NOT_SUPPORTED'],
    ['crypto FOK', ask({ symbol: 'BTC/USD', timeInForce: 'FOK' }), crypto, 'ORDER_NOT_SUPPORTED'],
    ['not shortable', ask({ side: 'SELL', opensShort: true }), equity({ shortable: false }), 'NOT_SHORTABLE'],
    ['not tradable', ask(), equity({ tradable: false }), 'ASSET_NOT_TRADABLE'],
    ['stop + trailing', ask({ exitRules: { stopLoss: SL, trailingStop: TS } }), equity(), 'EXITS_NOT_SUPPORTED'],
  ] as const)('refused up front: %s → %s', (_n, a, rules, code) => {
    const t = alpacaOrderTerms(a, rules);
    expect(t.ok ? null : t.code).toBe(code);
  });

  it('a fractional close goes DAY (with a note), or is refused as a stop', () => {
    const gtc = ok(alpacaOrderTerms(ask({ side: 'SELL', timeInForce: 'GTC' }), equity()));
    expect(alpacaFractionalClose(d('2.5'), gtc, false)).toMatchObject({ timeInForce: 'DAY' });
    expect(alpacaFractionalClose(d('2'), gtc, false)).toEqual({ timeInForce: 'GTC', note: null });
    const stop = ok(alpacaOrderTerms(ask({ side: 'SELL', type: 'STOP' }), equity()));
    expect(alpacaFractionalClose(d('2.5'), stop, false)).toMatchObject({ ok: false, code: 'ORDER_NOT_SUPPORTED' });
  });
});

describe('prices on the tick', () => {
  const tick = alpacaTick(null);

  it.each([
    ['BUY', '150.123', '150.127', '150.12', '150.13'],
    ['SELL', '150.123', '150.127', '150.13', '150.12'],
    ['BUY', '0.12345', '0.12345', '0.1234', '0.1235'],
    ['BUY', '1.000001', '0.99995', '1', '1'],
  ] as const)('%s limit %s, stop %s → limit %s, stop %s (never a worse price than asked)', (side, l, s, el, es) => {
    const r = roundOrderPrices(side, { limit: d(l), stop: d(s) }, tick);
    expect([r.limit?.toFixed(), r.stop?.toFixed()]).toEqual([d(el).toFixed(), d(es).toFixed()]);
  });

  it('crypto: the asset price increment', () => {
    expect(roundOrderPrices('BUY', { limit: d('43000.7'), stop: null }, alpacaTick(crypto)).limit?.toFixed()).toBe(
      '43000',
    );
  });

  it("a stop-limit's limit: 2.5% past the stop from $50, 4% below, away from the stop", () => {
    expect(stopLimitPrice('SELL', d('100'), tick).toFixed()).toBe('97.5');
    expect(stopLimitPrice('SELL', d('10.01'), tick).toFixed()).toBe('9.6');
    expect(stopLimitPrice('BUY', d('10'), tick).toFixed()).toBe('10.4');
    expect(stopLimitPrice('SELL', d('40001'), alpacaTick(crypto)).toFixed()).toBe('39000');
  });

  it('exit prices take the tick at their own price: a target above $1 from a fill below has two decimals', () => {
    const r = exitPrices({ takeProfit: { type: 'PERCENT', value: 10 } }, 'BUY', d('0.95'), tick);
    expect(r.ok && r.prices.takeProfit?.toFixed()).toBe('1.05');
    const s = exitPrices({ stopLoss: { type: 'PERCENT', value: 10 } }, 'BUY', d('1.05'), tick);
    expect(s.ok && s.prices.stopLoss?.toFixed()).toBe('0.945');
  });
});
