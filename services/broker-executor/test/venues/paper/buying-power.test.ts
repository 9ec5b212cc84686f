import type { AffordabilityInput, PaperOrder } from '../../../src/venues/paper/matching';
import { affordable, openingQuantity, priceToPay } from '../../../src/venues/paper/matching';
import { D } from './helpers';

type Numbers = 'quantity' | 'price' | 'position' | 'cash' | 'reservations' | 'shortExposure';

/** `shortExposure`: Σ |short| × mark over the account's positions, given as one short marked at 1. */
function input(overrides: Partial<Record<Numbers, string>> & { side?: 'BUY' | 'SELL' } = {}): AffordabilityInput {
  const { side = 'BUY', ...numbers } = overrides;
  const n = {
    quantity: '10',
    price: '150',
    position: '0',
    cash: '100000',
    reservations: '0',
    shortExposure: '0',
    ...numbers,
  };
  return {
    side,
    quantity: D(n.quantity),
    price: D(n.price),
    position: D(n.position),
    cash: D(n.cash),
    reservations: D(n.reservations),
    positions: [{ quantity: D(n.shortExposure).neg(), mark: D(1) }],
  };
}

describe('affordable: cash − reservations − 2 × short exposure, only for what opens a position', () => {
  // [name, input, ok, needed, buying power]
  const cases: [string, Parameters<typeof input>[0], boolean, string, string][] = [
    ['a long within cash', {}, true, '1500', '100000'],
    ['exactly the buying power', { cash: '1500' }, true, '1500', '1500'],
    ['a cent short', { cash: '1499.99' }, false, '1500', '1499.99'],
    ['reservations of other entries count', { cash: '2000', reservations: '600' }, false, '1500', '1400'],
    ['shorts count twice', { cash: '5000', shortExposure: '1800' }, false, '1500', '1400'],
    ['opening a short uses its notional', { side: 'SELL', cash: '1000' }, false, '1500', '1000'],
    [
      'selling a long needs nothing, even with no buying power',
      { side: 'SELL', position: '10', cash: '0', reservations: '500' },
      true,
      '0',
      '-500',
    ],
    ['buying back a short needs nothing', { position: '-25', cash: '0', shortExposure: '3000' }, true, '0', '-6000'],
    [
      'selling more than the long: the excess opens a short',
      { side: 'SELL', quantity: '15', position: '10', cash: '750' },
      true,
      '750',
      '750',
    ],
    [
      'buying more than the short covers: the excess opens a long',
      { quantity: '15', position: '-10', cash: '1000', shortExposure: '0' },
      true,
      '750',
      '1000',
    ],
    ['fractions, decimals exact', { quantity: '0.333333', price: '3', cash: '0.999999' }, true, '0.999999', '0.999999'],
  ];

  it.each(cases)('%s', (_name, overrides, ok, needed, buyingPower) => {
    const result = affordable(input(overrides));
    expect({ ok: result.ok, needed: result.needed.toFixed(), buyingPower: result.buyingPower.toFixed() }).toEqual({
      ok,
      needed,
      buyingPower,
    });
  });

  it('a rejection names the numbers', () => {
    const result = affordable(input({ cash: '5000', reservations: '1000', shortExposure: '1500', price: '150.25' }));
    expect(result).toMatchObject({
      ok: false,
      reason:
        'Insufficient buying power: BUY 10 at 150.25 needs 1,502.50, 1,000.00 available (cash 5,000.00 − reservations 1,000.00 − 2 × short exposure 1,500.00)',
    });
    const partly = affordable(input({ side: 'SELL', quantity: '15', position: '10', cash: '100' }));
    expect(partly).toMatchObject({
      ok: false,
      reason: expect.stringMatching(
        /^Insufficient buying power: SELL 15 \(5 of them opening\) at 150 needs 750\.00, 100\.00 available/,
      ),
    });
    const negative = affordable(input({ cash: '0', reservations: '10' }));
    expect(negative).toMatchObject({ ok: false, reason: expect.stringContaining('needs 1,500.00, 0.00 available') });
  });
});

describe('openingQuantity', () => {
  it.each([
    ['BUY', '10', '0', '10'],
    ['BUY', '10', '4', '10'],
    ['BUY', '10', '-4', '6'],
    ['BUY', '10', '-40', '0'],
    ['SELL', '10', '4', '6'],
    ['SELL', '10', '-4', '10'],
    ['SELL', '10', '10', '0'],
  ] as ['BUY' | 'SELL', string, string, string][])(
    '%s %s with position %s → %s',
    (side, quantity, position, expected) => {
      expect(openingQuantity(side, D(quantity), D(position)).toFixed()).toBe(expected);
    },
  );
});

describe('priceToPay', () => {
  type O = Pick<PaperOrder, 'side' | 'type' | 'limitPrice' | 'stopPrice'>;
  const o = (side: 'BUY' | 'SELL', type: PaperOrder['type'], limit: string | null, stop: string | null): O => ({
    side,
    type,
    limitPrice: limit === null ? null : D(limit),
    stopPrice: stop === null ? null : D(stop),
  });
  it.each([
    ['MARKET: the quote', o('BUY', 'MARKET', null, null), '101', '101'],
    ['MARKET without a quote: unknown', o('BUY', 'MARKET', null, null), null, null],
    ['LIMIT: the limit', o('BUY', 'LIMIT', '99', null), '101', '99'],
    ['STOP_LIMIT: the limit', o('SELL', 'STOP_LIMIT', '95', '96'), '101', '95'],
    ['BUY STOP under the quote: fills at the quote', o('BUY', 'STOP', null, '100'), '103', '103'],
    ['BUY STOP above the quote: the stop', o('BUY', 'STOP', null, '100'), '97', '100'],
    ['SELL STOP above the quote: fills at the quote', o('SELL', 'STOP', null, '100'), '97', '97'],
    ['STOP without a quote: the stop', o('SELL', 'STOP', null, '100'), null, '100'],
    ['TRAILING_STOP: the quote', o('SELL', 'TRAILING_STOP', null, null), '50', '50'],
  ] as [string, O, string | null, string | null][])('%s', (_name, order, quote, expected) => {
    expect(priceToPay(order, quote === null ? null : D(quote))?.toFixed() ?? null).toBe(expected);
  });
});
