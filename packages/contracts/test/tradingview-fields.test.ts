import fc from 'fast-check';
import {
  compareDecimal,
  createIngestValidator,
  isDecimalString,
  sentAtMillis,
  significantDigits,
  tickerOf,
  withDefaults,
} from '../src';

const NOW = Date.parse('2026-12-02T14:00:00Z');
const validate = createIngestValidator({ now: () => NOW });
const base = { symbol: 'AAPL', action: 'openLong', accountId: 'acc-1', quantity: 10 };

function details(body: unknown) {
  const r = validate(body);
  if (r.ok) throw new Error(`expected invalid: ${JSON.stringify(body)}`);
  return r.details;
}

describe('decimal strings in number fields', () => {
  it.each<[string, Record<string, unknown>]>([
    ['quantity', { ...base, quantity: '10' }],
    ['fractional quantity', { ...base, quantity: '0.5' }],
    ['leading zeros', { ...base, quantity: '007.50' }],
    ['30 significant digits', { ...base, quantity: '1.23456789012345678901234567890' }],
    ['30 digits after leading zeros', { ...base, quantity: '0.000123456789012345678901234567890' }],
    ['limit price', { ...base, orderType: 'LIMIT', limitPrice: '150.25' }],
    ['stop price', { ...base, orderType: 'STOP', stopPrice: '140' }],
    ['sizing price ({{close}})', { ...base, price: '64250.5' }],
    [
      'exit rule values',
      {
        ...base,
        exitRules: { stopLoss: { type: 'PERCENT', value: '2' }, trailingStop: { type: 'AMOUNT', value: '1.5' } },
      },
    ],
    ['percent of equity, exactly 100', { ...base, quantityType: 'PERCENT_EQUITY', quantity: '100.000' }],
    ['the upper bound itself', { ...base, quantity: '1000000000000' }],
  ])('accepts a decimal string as %s, stored as sent', (_name, body) => {
    expect(validate(body)).toEqual({ ok: true, value: body });
  });

  it.each<[string, unknown, RegExp]>([
    ['letters', 'abc', /decimal string/],
    ['empty', '', /decimal string/],
    ['exponent', '1e5', /decimal string/],
    ['NaN', 'NaN', /decimal string/],
    ['Infinity', 'Infinity', /decimal string/],
    ['leading space', ' 1', /decimal string/],
    ['trailing space', '1 ', /decimal string/],
    ['plus sign', '+1', /decimal string/],
    ['two points', '1.2.3', /decimal string/],
    ['bare point', '.5', /decimal string/],
    ['trailing point', '5.', /decimal string/],
    ['comma', '1,5', /decimal string/],
    ['hex', '0x10', /decimal string/],
    ['zero', '0', /^must be greater than 0$/],
    ['zero with decimals', '0.000', /^must be greater than 0$/],
    ['negative', '-5', /^must be greater than 0$/],
    ['above the bound', '1000000000000.0000000001', /^must be at most 1000000000000$/],
    ['31 significant digits', '1.234567890123456789012345678901', /31 significant digits; at most 30/],
    ['a boolean', true, /^must be a number or a decimal string/],
  ])('refuses %s on its field', (_name, quantity, message) => {
    expect(details({ ...base, quantity })).toEqual([{ field: 'quantity', message: expect.stringMatching(message) }]);
  });

  it('holds percentages to 100 exactly in both forms', () => {
    expect(details({ ...base, quantityType: 'PERCENT_EQUITY', quantity: '100.0000000001' })).toEqual([
      { field: 'quantity', message: 'must be at most 100' },
    ]);
    expect(details({ ...base, quantityType: 'PERCENT_POSITION', quantity: 100.5 })).toEqual([
      { field: 'quantity', message: 'must be at most 100' },
    ]);
  });

  it('reports a bad decimal string at its nested path', () => {
    expect(details({ ...base, exitRules: { takeProfit: { type: 'PERCENT', value: '4%' } } })).toEqual([
      { field: 'exitRules.takeProfit.value', message: expect.stringMatching(/decimal string/) },
    ]);
  });

  it('grammar: exactly optional minus, digits, one point with digits', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(isDecimalString(s)).toBe(/^-?\d+(\.\d+)?$/.test(s) && !/[^\x30-\x39.-]/.test(s));
      }),
    );
  });

  it('compares exactly, without floats (property: against BigInt arithmetic of the same digits)', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 25n }), fc.integer({ min: 0, max: 12 }))
      .map(([neg, units, scale]) => {
        const digits = units.toString().padStart(scale + 1, '0');
        const text = scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits;
        return { text: neg && units > 0n ? `-${text}` : text, units: neg ? -units : units, scale };
      });
    fc.assert(
      fc.property(decimal, fc.integer({ min: 0, max: 10 ** 12 }), (d, bound) => {
        const scaledBound = BigInt(bound) * 10n ** BigInt(d.scale);
        const expected = d.units < scaledBound ? -1 : d.units > scaledBound ? 1 : 0;
        expect(compareDecimal(d.text, bound)).toBe(expected);
      }),
    );
  });

  it('counts significant digits from the first non-zero digit', () => {
    expect(significantDigits('0.0500')).toBe(3);
    expect(significantDigits('100')).toBe(3);
    expect(significantDigits('0')).toBe(1);
    expect(significantDigits('-007.10')).toBe(3);
  });
});

describe('the exchange prefix', () => {
  it.each(['NASDAQ:AAPL', 'BINANCE:BTCUSDT', 'NYMEX_DL:CL1', 'COINBASE:BTC/USD', 'BINANCE:BTCUSDT.P'])(
    'accepts %s, kept as sent; the ticker is traded',
    (symbol) => {
      const body = { ...base, symbol };
      expect(validate(body)).toEqual({ ok: true, value: body });
      expect(withDefaults(body as never)).toMatchObject({ symbol: tickerOf(symbol), exchange: symbol.split(':')[0] });
    },
  );

  it.each<[string, RegExp]>([
    ['nasdaq:AAPL', /^Symbol must be uppercase$/],
    ['NASDAQ:aapl', /^Symbol must be uppercase$/],
    ['NASDAQ:', /1-15 characters/],
    [':AAPL', /1-15 characters/],
    ['A:B:C', /1-15 characters/],
    ['NASDAQ:1AAPL', /1-15 characters/],
    ['NASDAQ:ABCDEFGHIJKLMNOP', /1-15 characters/],
    ['NAS DAQ:AAPL', /1-15 characters/],
  ])('refuses %s', (symbol, message) => {
    expect(details({ ...base, symbol })).toEqual([{ field: 'symbol', message: expect.stringMatching(message) }]);
  });

  it('leaves a symbol without a prefix as it is', () => {
    expect(withDefaults(base as never)).toMatchObject({ symbol: 'AAPL' });
    expect(withDefaults(base as never)).not.toHaveProperty('exchange');
  });
});

describe('buy and sell with sentiment; setPosition', () => {
  const tv = { symbol: 'NASDAQ:AAPL', accountId: 'acc-1' };
  it.each<[string, Record<string, unknown>]>([
    ['buy long', { ...tv, action: 'buy', sentiment: 'long', quantity: '10' }],
    ['buy flat without quantity', { ...tv, action: 'buy', sentiment: 'flat' }],
    ['buy flat with 0 (market_position_size when flat)', { ...tv, action: 'buy', sentiment: 'flat', quantity: '0' }],
    ['buy short (reducing a short)', { ...tv, action: 'buy', sentiment: 'short', quantity: 3 }],
    [
      'sell short with exits',
      {
        ...tv,
        action: 'sell',
        sentiment: 'short',
        quantity: '5',
        exitRules: { stopLoss: { type: 'PERCENT', value: '2' } },
      },
    ],
    ['sell flat', { ...tv, action: 'sell', sentiment: 'flat', quantity: '10' }],
    ['sell long', { ...tv, action: 'sell', sentiment: 'long', quantity: '4' }],
    ['setPosition long', { ...tv, action: 'setPosition', sentiment: 'long', quantity: '15' }],
    [
      'setPosition short, percent of equity',
      { ...tv, action: 'setPosition', sentiment: 'short', quantity: '25', quantityType: 'PERCENT_EQUITY' },
    ],
    [
      'setPosition long in dollars',
      { ...tv, action: 'setPosition', sentiment: 'long', quantity: '5000', quantityType: 'DOLLAR_AMOUNT' },
    ],
    ['setPosition flat, size 0', { ...tv, action: 'setPosition', sentiment: 'flat', quantity: '0' }],
    [
      'setPosition long with exits',
      {
        ...tv,
        action: 'setPosition',
        sentiment: 'long',
        quantity: 10,
        exitRules: { takeProfit: { type: 'PERCENT', value: 4 } },
      },
    ],
    [
      'a limit order',
      { ...tv, action: 'buy', sentiment: 'long', quantity: '1', orderType: 'LIMIT', limitPrice: '150.25' },
    ],
  ])('accepts %s', (_name, body) => {
    expect(validate(body)).toEqual({ ok: true, value: body });
  });

  it.each<[string, Record<string, unknown>, { field: string; message: RegExp }[]]>([
    [
      'buy without sentiment',
      { ...tv, action: 'buy', quantity: 1 },
      [{ field: 'sentiment', message: /required for buy, sell and setPosition/ }],
    ],
    [
      'an unknown sentiment',
      { ...tv, action: 'sell', sentiment: 'LONG', quantity: 1 },
      [{ field: 'sentiment', message: /one of: long, short, flat/ }],
    ],
    [
      'a sentiment on openLong',
      { ...base, sentiment: 'long' },
      [{ field: 'sentiment', message: /only allowed with buy, sell and setPosition/ }],
    ],
    [
      'buy long without quantity',
      { ...tv, action: 'buy', sentiment: 'long' },
      [{ field: 'quantity', message: /required for buy, sell and setPosition unless sentiment is flat/ }],
    ],
    [
      'setPosition long without quantity',
      { ...tv, action: 'setPosition', sentiment: 'long' },
      [{ field: 'quantity', message: /unless sentiment is flat/ }],
    ],
    [
      'setPosition short of 0',
      { ...tv, action: 'setPosition', sentiment: 'short', quantity: '0' },
      [{ field: 'quantity', message: /^must be greater than 0$/ }],
    ],
    [
      'a negative size on a move to flat',
      { ...tv, action: 'sell', sentiment: 'flat', quantity: '-1' },
      [{ field: 'quantity', message: /^must be at least 0$/ }],
    ],
    [
      'setPosition with PERCENT_POSITION',
      { ...tv, action: 'setPosition', sentiment: 'long', quantity: 50, quantityType: 'PERCENT_POSITION' },
      [{ field: 'quantityType', message: /one of: FIXED, PERCENT_EQUITY, DOLLAR_AMOUNT/ }],
    ],
    [
      'exits on a move to flat',
      { ...tv, action: 'sell', sentiment: 'flat', exitRules: { stopLoss: { type: 'PERCENT', value: 1 } } },
      [{ field: 'exitRules', message: /may open a position/ }],
    ],
    [
      'exits on a reduction',
      { ...tv, action: 'buy', sentiment: 'short', quantity: 1, exitRules: { stopLoss: { type: 'PERCENT', value: 1 } } },
      [{ field: 'exitRules', message: /may open a position/ }],
    ],
    [
      'exits on setPosition flat',
      { ...tv, action: 'setPosition', sentiment: 'flat', exitRules: { stopLoss: { type: 'PERCENT', value: 1 } } },
      [{ field: 'exitRules', message: /may open a position/ }],
    ],
  ])('refuses %s on its field', (_name, body, expected) => {
    expect(details(body)).toEqual(expected.map((e) => ({ field: e.field, message: expect.stringMatching(e.message) })));
  });
});

describe('sentAt', () => {
  const at = (sentAt: unknown) => ({ ...base, sentAt });
  it.each<[string, unknown, number]>([
    ['{{timenow}}', '2026-12-02T13:59:30Z', Date.parse('2026-12-02T13:59:30Z')],
    ['an offset', '2026-12-02T15:59:30+02:00', Date.parse('2026-12-02T13:59:30Z')],
    ['fractions of a second', '2026-12-02T13:59:30.250Z', Date.parse('2026-12-02T13:59:30.250Z')],
    ['epoch milliseconds', NOW - 1000, NOW - 1000],
    ['epoch milliseconds as text', String(NOW - 1000), NOW - 1000],
    ['60 s ahead (clock skew)', NOW + 60000, NOW + 60000],
    ['long ago (staleness is decided later)', '2020-01-01T00:00:00Z', Date.parse('2020-01-01T00:00:00Z')],
  ])('accepts %s', (_name, sentAt, millis) => {
    expect(validate(at(sentAt))).toEqual({ ok: true, value: at(sentAt) });
    expect(sentAtMillis(sentAt as string | number)).toBe(millis);
  });

  it.each<[string, unknown, RegExp]>([
    ['61 s in the future', NOW + 61000, /^is 61 s in the future; at most 60 s/],
    ['an hour in the future (ISO)', '2026-12-02T15:00:00Z', /^is 3600 s in the future/],
    ['no offset', '2026-12-02T13:59:30', /ISO-8601 time with an offset/],
    ['a date alone', '2026-12-02', /ISO-8601 time with an offset/],
    ['30 February', '2026-02-30T10:00:00Z', /ISO-8601 time with an offset/],
    ['hour 24', '2026-12-02T24:00:00Z', /ISO-8601 time with an offset/],
    ['words', 'yesterday', /ISO-8601 time with an offset/],
    ['empty', '', /ISO-8601 time with an offset/],
    ['a fraction of a millisecond', 1.5, /ISO-8601 time with an offset .* or epoch milliseconds$/],
    ['negative', -1, /^must be at least 0$/],
    ['a boolean', true, /ISO-8601 time with an offset .* or epoch milliseconds$/],
  ])('refuses %s with field sentAt', (_name, sentAt, message) => {
    expect(details(at(sentAt))).toEqual([{ field: 'sentAt', message: expect.stringMatching(message) }]);
  });
});
