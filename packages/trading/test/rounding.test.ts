import { Decimal } from '@utm/db';
import { defaultTickSize, floorToStep, FRACTIONAL_STEP, money, qty, roundToTick, WHOLE_SHARE } from '../src/rounding';

const D = (v: string | number) => new Decimal(v);

describe('floorToStep', () => {
  it.each([
    // [quantity, step, expected]
    ['10', '1', '10'], // exact multiple
    ['0', '1', '0'],
    ['9.999999', '1', '9'], // just below a multiple
    ['10.000001', '1', '10'], // just above a multiple
    ['10.5', '1', '10'],
    ['0.999999999', '1', '0'],
    ['3.000030000300003', '0.000001', '3.00003'],
    ['0.000001', '0.000001', '0.000001'], // exactly one tiny step
    ['0.0000009', '0.000001', '0'], // just below one tiny step
    ['0.0000019', '0.000001', '0.000001'],
    ['1.9999999', '0.000001', '1.999999'],
    ['999999999999', '1', '999999999999'], // large values
    ['999999999999.999999', '1', '999999999999'],
    ['123456789012.1234567', '0.000001', '123456789012.123456'],
    ['4.35', '0.05', '4.35'], // 4.35 / 0.05 = 86.99999999999999 in binary floats
    ['0.7', '0.1', '0.7'], // 0.7 / 0.1 = 6.999999999999999 in binary floats
    ['7', '2.5', '5'], // a step that is not a power of ten
  ])('floorToStep(%s, %s) = %s', (quantity, step, expected) => {
    expect(floorToStep(D(quantity), D(step)).toFixed()).toBe(expected);
  });

  it('keeps 0.1 + 0.2 at 0.3 with a 0.1 step (binary floats would give 0.2)', () => {
    const sum = D('0.1').plus(D('0.2'));
    expect(floorToStep(sum, D('0.1')).toFixed()).toBe('0.3');
    // The float computation this guards against:
    expect(Math.floor(0.3 / 0.1) * 0.1).not.toBe(0.3);
  });

  it('the exported steps are 1 and 0.000001', () => {
    expect(WHOLE_SHARE.toFixed()).toBe('1');
    expect(FRACTIONAL_STEP.toFixed()).toBe('0.000001');
  });

  it.each(['0', '-1', '-0.000001'])('throws on a step of %s', (step) => {
    expect(() => floorToStep(D('10'), D(step))).toThrow('quantity step must be positive');
  });

  // Decimal (Prisma's decimal.js) runs at 20 significant digits: quantity.div(step) is rounded
  // HALF_UP there before floor(), so a quantity with more digits can be rounded UP to the
  // next step. NUMERIC(30,10) columns hold such values.
  it('never rounds up, even beyond 20 significant digits (99999999999999.9999999 at 0.000001)', () => {
    const result = floorToStep(D('99999999999999.9999999'), D('0.000001'));
    expect(result.toFixed()).toBe('99999999999999.999999');
  });
});

describe('roundToTick', () => {
  it.each([
    // [price, tick, direction, expected]
    ['150.255', '0.01', 'up', '150.26'],
    ['150.255', '0.01', 'down', '150.25'],
    ['150.25', '0.01', 'up', '150.25'], // already on a tick
    ['150.25', '0.01', 'down', '150.25'],
    ['150', '0.01', 'up', '150'],
    ['150.2500001', '0.01', 'up', '150.26'],
    ['150.2599999', '0.01', 'down', '150.25'],
    ['0.12345', '0.0001', 'up', '0.1235'],
    ['0.12345', '0.0001', 'down', '0.1234'],
    ['0.1234', '0.0001', 'up', '0.1234'],
    ['100.01', '0.05', 'up', '100.05'],
    ['100.01', '0.05', 'down', '100'],
    ['0.3', '0.1', 'down', '0.3'], // 0.3 / 0.1 = 2.9999999999999996 in binary floats
    ['0.7', '0.1', 'up', '0.7'],
    ['0.00001', '0.01', 'down', '0'],
    ['0.00001', '0.01', 'up', '0.01'],
    ['999999999999.999', '0.01', 'down', '999999999999.99'],
    ['999999999999.991', '0.01', 'up', '1000000000000'],
    ['-5.005', '0.01', 'down', '-5.01'], // floor goes towards −∞
    ['-5.005', '0.01', 'up', '-5'],
  ] as const)('roundToTick(%s, %s, %s) = %s', (price, tick, direction, expected) => {
    expect(roundToTick(D(price), D(tick), direction).toFixed()).toBe(expected);
  });

  it.each(['0', '-0.01'])('throws on a tick of %s', (tick) => {
    expect(() => roundToTick(D('150'), D(tick), 'up')).toThrow('tick size must be positive');
    expect(() => roundToTick(D('150'), D(tick), 'down')).toThrow('tick size must be positive');
  });

  // Same precision limit as floorToStep: price.div(tick) is rounded at 20 significant digits.
  it('never rounds a price up when asked to round down, even beyond 20 significant digits', () => {
    expect(roundToTick(D('99999999999999.9999999'), D('0.01'), 'down').toFixed()).toBe('99999999999999.99');
  });
});

describe('defaultTickSize', () => {
  it.each([
    ['0.0001', '0.0001'],
    ['0.5', '0.0001'],
    ['0.9999', '0.0001'],
    ['1', '0.01'],
    ['1.0001', '0.01'],
    ['150.25', '0.01'],
    ['1000000', '0.01'],
  ])('at %s the tick is %s', (price, tick) => {
    expect(defaultTickSize(D(price)).toFixed()).toBe(tick);
  });
});

describe('money', () => {
  it.each([
    ['15000', '15,000.00'],
    ['9200', '9,200.00'],
    ['0.5', '0.50'],
    ['0', '0.00'],
    ['1', '1.00'],
    ['999.99', '999.99'],
    ['1000', '1,000.00'],
    ['100000', '100,000.00'],
    ['12345678.9', '12,345,678.90'],
    ['1234567890123.456', '1,234,567,890,123.46'],
    ['1000000000000000000000', '1,000,000,000,000,000,000,000.00'], // no exponent notation
    ['0.004', '0.00'],
    ['0.005', '0.01'], // half up
    ['999.995', '1,000.00'], // rounding carries into the thousands
    ['-0.5', '-0.50'],
    ['-1234.567', '-1,234.57'],
    ['-1234.565', '-1,234.57'], // half away from zero
    ['-1234.564', '-1,234.56'],
    ['-1000000', '-1,000,000.00'],
  ])('money(%s) = %s', (value, expected) => {
    expect(money(D(value))).toBe(expected);
  });
});

describe('qty', () => {
  it.each([
    ['10', '10'],
    ['3.000030', '3.00003'],
    ['0.000001', '0.000001'], // no exponent notation
    ['1000000000000', '1000000000000'],
    ['-10', '-10'],
  ])('qty(%s) = %s', (value, expected) => {
    expect(qty(new Decimal(value))).toBe(expected);
  });
});
