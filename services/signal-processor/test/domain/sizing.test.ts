import type { IngestOrderType, NormalizedIngestRequest, QuantityType } from '@utm/contracts';
import { FRACTIONAL_STEP, WHOLE_SHARE } from '@utm/trading';
import { sizeQuantity, sizingPrice, type SizingInput } from '../../src/domain/sizing';
import { D, expectRejected, request } from './helpers';

describe('sizingPrice', () => {
  type Prices = Pick<NormalizedIngestRequest, 'limitPrice' | 'stopPrice' | 'price'>;
  // [orderType, request prices, quote, expected]
  const cases: [IngestOrderType, Prices, string | null, string | null][] = [
    ['MARKET', { price: 149 }, '150', '150'], // the quote wins over the sender's price
    ['MARKET', { price: 149.07 }, null, '149.07'], // no quote: the sender's price
    ['MARKET', {}, '150', '150'],
    ['MARKET', {}, null, null], // nothing to size with
    ['LIMIT', { limitPrice: 148.5, price: 149 }, '150', '148.5'], // the limit price wins
    ['LIMIT', { limitPrice: 148.5 }, null, '148.5'],
    ['STOP', { stopPrice: 152.25, price: 149 }, '150', '152.25'], // the stop price wins
    ['STOP', { stopPrice: 152.25 }, null, '152.25'],
    ['STOP_LIMIT', { limitPrice: 153, stopPrice: 152, price: 149 }, '150', '153'], // the limit, not the stop
    ['STOP_LIMIT', { limitPrice: 153, stopPrice: 152 }, null, '153'],
    ['LIMIT', { limitPrice: 0.1 }, null, '0.1'], // numbers become exact decimals
  ];

  it.each(cases)('%s %j with quote %s → %s', (orderType, prices, quote, expected) => {
    const req = request('openLong', { quantity: 1, orderType, ...prices });
    const price = sizingPrice(req, quote === null ? null : D(quote));
    expect(price === null ? null : price.toFixed()).toBe(expected);
  });
});

describe('sizeQuantity', () => {
  function input(quantityType: QuantityType, quantity: number, overrides: Partial<SizingInput> = {}): SizingInput {
    return {
      quantity,
      quantityType,
      symbol: 'AAPL',
      price: D('150'),
      equity: D('100000'),
      positionSize: D(0),
      step: WHOLE_SHARE,
      ...overrides,
    };
  }

  // [name, input, expected quantity (toFixed(6) for fractional, toFixed() otherwise)]
  const sized: [string, SizingInput, string][] = [
    ['FIXED 10', input('FIXED', 10), '10'],
    ['FIXED 10.7 in whole shares', input('FIXED', 10.7), '10'],
    ['FIXED 10.7 fractional', input('FIXED', 10.7, { step: FRACTIONAL_STEP }), '10.7'],
    ['FIXED 0.1234567 fractional', input('FIXED', 0.1234567, { step: FRACTIONAL_STEP }), '0.123456'],
    ['FIXED needs no price', input('FIXED', 5, { price: null }), '5'],
    ['DOLLAR_AMOUNT 1000 at 333.33', input('DOLLAR_AMOUNT', 1000, { price: D('333.33') }), '3'],
    [
      'DOLLAR_AMOUNT 1000 at 333.33 fractional',
      input('DOLLAR_AMOUNT', 1000, { price: D('333.33'), step: FRACTIONAL_STEP }),
      '3.00003',
    ],
    ['DOLLAR_AMOUNT 1000 at 100', input('DOLLAR_AMOUNT', 1000, { price: D('100') }), '10'],
    ['DOLLAR_AMOUNT 999.99 at 100', input('DOLLAR_AMOUNT', 999.99, { price: D('100') }), '9'],
    [
      'DOLLAR_AMOUNT 99.99 at 100 fractional',
      input('DOLLAR_AMOUNT', 99.99, { price: D('100'), step: FRACTIONAL_STEP }),
      '0.9999',
    ],
    [
      'DOLLAR_AMOUNT 0.3 at 0.1 fractional (floats: 2.9999999999999996)',
      input('DOLLAR_AMOUNT', 0.3, { price: D('0.1'), step: FRACTIONAL_STEP }),
      '3',
    ],
    ['PERCENT_EQUITY 10% of 100000 at 150', input('PERCENT_EQUITY', 10), '66'],
    [
      'PERCENT_EQUITY 10% of 100000 at 150 fractional',
      input('PERCENT_EQUITY', 10, { step: FRACTIONAL_STEP }),
      '66.666666',
    ],
    ['PERCENT_EQUITY 100% of 100000 at 100000', input('PERCENT_EQUITY', 100, { price: D('100000') }), '1'],
    [
      'PERCENT_EQUITY 2.5% of 1234.56 at 0.5',
      input('PERCENT_EQUITY', 2.5, { equity: D('1234.56'), price: D('0.5') }),
      '61',
    ], // 61.728
    ['PERCENT_POSITION 50% of 3', input('PERCENT_POSITION', 50, { positionSize: D(3) }), '1'],
    [
      'PERCENT_POSITION 50% of 3 fractional',
      input('PERCENT_POSITION', 50, { positionSize: D(3), step: FRACTIONAL_STEP }),
      '1.5',
    ],
    ['PERCENT_POSITION 100% of 7', input('PERCENT_POSITION', 100, { positionSize: D(7) }), '7'],
    ['PERCENT_POSITION 12.5% of 8', input('PERCENT_POSITION', 12.5, { positionSize: D(8) }), '1'],
    [
      'PERCENT_POSITION 33% of 1 fractional',
      input('PERCENT_POSITION', 33, { positionSize: D(1), step: FRACTIONAL_STEP }),
      '0.33',
    ],
    ['PERCENT_POSITION needs no price', input('PERCENT_POSITION', 50, { positionSize: D(10), price: null }), '5'],
  ];

  it.each(sized)('%s', (_name, i, expected) => {
    const result = sizeQuantity(i);
    if (result.kind !== 'sized') throw new Error(`${result.code}: ${result.message}`);
    expect(result.quantity.toFixed()).toBe(expected);
  });

  it('keeps six decimals on a fractional step (1000 at 333.33 → 3.000030)', () => {
    const result = sizeQuantity(input('DOLLAR_AMOUNT', 1000, { price: D('333.33'), step: FRACTIONAL_STEP }));
    if (result.kind !== 'sized') throw new Error(result.message);
    expect(result.quantity.toFixed(6)).toBe('3.000030');
    expect(result.quantity.mod(FRACTIONAL_STEP).isZero()).toBe(true);
  });

  // [name, input, code, message]
  const refused: [string, SizingInput, string, string][] = [
    [
      'PERCENT_EQUITY without a price',
      input('PERCENT_EQUITY', 10, { price: null }),
      'NO_PRICE',
      'No price to size AAPL with: no quote, no limit or stop price, no price in the signal',
    ],
    [
      'DOLLAR_AMOUNT without a price',
      input('DOLLAR_AMOUNT', 1000, { price: null }),
      'NO_PRICE',
      'No price to size AAPL with: no quote, no limit or stop price, no price in the signal',
    ],
    [
      'PERCENT_POSITION on no position',
      input('PERCENT_POSITION', 50),
      'NO_POSITION',
      'PERCENT_POSITION needs a position in AAPL; there is none',
    ],
    [
      'PERCENT_POSITION 33% of 1',
      input('PERCENT_POSITION', 33, { positionSize: D(1) }),
      'ZERO_QUANTITY',
      '0.33 AAPL rounds down to 0 at a quantity step of 1',
    ],
    [
      'FIXED 0.5 in whole shares',
      input('FIXED', 0.5),
      'ZERO_QUANTITY',
      '0.5 AAPL rounds down to 0 at a quantity step of 1',
    ],
    [
      'FIXED 0.0000005 fractional',
      input('FIXED', 0.0000005, { step: FRACTIONAL_STEP }),
      'ZERO_QUANTITY',
      '0.0000005 AAPL rounds down to 0 at a quantity step of 0.000001',
    ],
    [
      'DOLLAR_AMOUNT 99.99 at 100',
      input('DOLLAR_AMOUNT', 99.99, { price: D('100') }),
      'ZERO_QUANTITY',
      '0.9999 AAPL rounds down to 0 at a quantity step of 1',
    ],
    [
      'PERCENT_EQUITY of a zero equity',
      input('PERCENT_EQUITY', 10, { equity: D(0) }),
      'ZERO_QUANTITY',
      '10% of equity 0.00 is nothing to trade',
    ],
    [
      'PERCENT_EQUITY of a negative equity',
      input('PERCENT_EQUITY', 10, { equity: D('-5000') }),
      'ZERO_QUANTITY',
      '10% of equity -5,000.00 is nothing to trade',
    ],
  ];

  it.each(refused)('%s → %s', (_name, i, code, message) => {
    const result = expectRejected(sizeQuantity(i));
    expect(result.code).toBe(code);
    expect(result.message).toBe(message);
  });
});
