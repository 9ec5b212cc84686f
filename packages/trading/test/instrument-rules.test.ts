import { Decimal } from '@utm/db';
import { fitToRules, type MarketRules, type OrderToFit } from '../src';

const D = (v: string) => new Decimal(v);
/** Binance BTCUSDT-like rules: step 0.00001 (min 0.00001, max 9000), tick 0.01, notional 5 … 9,000,000. */
const btc: MarketRules = {
  venue: 'binance',
  symbol: 'BTC/USDT',
  quantityStep: D('0.00001'),
  minQuantity: D('0.00001'),
  maxQuantity: D('9000'),
  tickSize: D('0.01'),
  minPrice: D('0.01'),
  maxPrice: D('1000000'),
  minNotional: D('5'),
  maxNotional: D('9000000'),
  minNotionalAppliesToMarket: true,
};
const order = (o: Partial<OrderToFit>): OrderToFit => ({
  symbol: 'BTC/USDT',
  type: 'MARKET',
  quantity: D('0.01'),
  limitPrice: null,
  stopPrice: null,
  referencePrice: D('65000'),
  ...o,
});

describe('fitToRules', () => {
  it.each([
    ['a quantity on the step', order({}), '0.01', null],
    [
      'a quantity off the step: rounded down, with a note',
      order({ quantity: D('0.0153846') }),
      '0.01538',
      /rounded down to 0.01538/,
    ],
    ['a limit on the tick', order({ type: 'LIMIT', limitPrice: D('64000.5') }), '0.01', null],
    [
      'no reference price for a market order: the exchange judges',
      order({ quantity: D('0.00001'), referencePrice: null }),
      '0.00001',
      null,
    ],
  ])('accepts %s', (_what, o, quantity, note) => {
    const r = fitToRules(btc, o);
    if (!r.ok) throw new Error(r.message);
    expect(r.quantity.toFixed()).toBe(quantity);
    if (note) expect(r.note).toMatch(note);
    else expect(r.note).toBeNull();
  });

  it.each([
    [
      'a quantity that rounds to nothing',
      order({ quantity: D('0.000004') }),
      'QUANTITY_INCREMENT',
      /below the binance minimum quantity of 0.00001/,
    ],
    [
      'a quantity over the maximum',
      order({ quantity: D('9000.1'), referencePrice: D('1') }),
      'QUANTITY_INCREMENT',
      /above the binance maximum quantity of 9000/,
    ],
    [
      'a limit price off the tick',
      order({ type: 'LIMIT', limitPrice: D('64000.005') }),
      'PRICE_INCREMENT',
      /not a multiple of the binance tick size for BTC\/USDT, 0.01/,
    ],
    ['a stop price under the minimum price', order({ type: 'STOP', stopPrice: D('0.001') }), 'PRICE_INCREMENT', /./],
    [
      'a market order worth under the minimum notional',
      order({ quantity: D('0.00005') }),
      'MIN_NOTIONAL',
      /0.00005 × 65000 = 3.25 is below the binance minimum notional for BTC\/USDT, 5/,
    ],
    [
      'a limit order worth over the maximum notional',
      order({ type: 'LIMIT', quantity: D('200'), limitPrice: D('65000') }),
      'MIN_NOTIONAL',
      /above/,
    ],
  ])('refuses %s', (_what, o, code, message) => {
    const r = fitToRules(btc, o);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) expect(r.message).toMatch(message);
  });

  it('judges a market order by its minimum notional only when the venue applies it to MARKET orders', () => {
    const r = fitToRules({ ...btc, minNotionalAppliesToMarket: false }, order({ quantity: D('0.00005') }));
    expect(r.ok).toBe(true);
  });
});
