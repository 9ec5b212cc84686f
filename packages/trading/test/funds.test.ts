import { Decimal } from '@utm/db';
import fc from 'fast-check';
import { buyingPowerOf, equityOf, markPrice, reservationOf, shortExposureOf, type MarkedPosition } from '../src/funds';

const D = (v: string | number) => new Decimal(v);
const pos = (quantity: string, mark: string): MarkedPosition => ({ quantity: D(quantity), mark: D(mark) });

describe('equityOf and buyingPowerOf', () => {
  // [name, cash, reservations, positions, equity, buying power]
  const cases: [string, string, string, MarkedPosition[], string, string][] = [
    ['cash only', '100000', '0', [], '100000', '100000'],
    ['reservations reduce buying power, not equity', '20000', '10800', [], '20000', '9200'],
    ['a long adds to equity, leaves buying power', '15000', '0', [pos('100', '500')], '65000', '15000'],
    ['a short subtracts from equity, twice from buying power', '30000', '0', [pos('-20', '100')], '28000', '26000'],
    [
      'mixed, with cents',
      '50000.25',
      '1000.10',
      [pos('10', '400.5'), pos('-3', '200.01'), pos('0.5', '500')],
      '53655.22',
      '47800.09',
    ],
    ['negative buying power', '1000', '5000', [], '1000', '-4000'],
    ['a flat position counts for nothing', '1000', '0', [pos('0', '123')], '1000', '1000'],
  ];

  it.each(cases)('%s', (_name, cash, reservations, positions, equity, buyingPower) => {
    expect(equityOf(D(cash), positions).toFixed()).toBe(equity);
    expect(buyingPowerOf({ cash: D(cash), reservations: D(reservations), positions }).toFixed()).toBe(buyingPower);
  });

  it('equity does not change the cash it is given', () => {
    const cash = D('100');
    equityOf(cash, [pos('1', '5')]);
    expect(cash.toFixed()).toBe('100');
  });
});

describe('markPrice, shortExposureOf, reservationOf', () => {
  it.each([
    ['the quote when there is one', '101.5', '90', '101.5'],
    ['the average price without a quote', null, '90', '90'],
  ] as [string, string | null, string, string][])('mark: %s', (_name, quote, avg, expected) => {
    expect(markPrice(quote === null ? null : D(quote), D(avg)).toFixed()).toBe(expected);
  });

  it.each([
    ['no positions', [], '0'],
    ['longs only', [pos('10', '5')], '0'],
    ['shorts at their marks', [pos('-10', '5'), pos('3', '1'), pos('-0.5', '200.02')], '150.01'],
  ] as [string, MarkedPosition[], string][])('short exposure: %s', (_name, positions, expected) => {
    expect(shortExposureOf(positions).toFixed()).toBe(expected);
  });

  it.each([
    ['remaining × price basis', '7', '12.5', '87.5'],
    ['no price basis holds nothing', '7', null, '0'],
    ['nothing remaining holds nothing', '0', '12.5', '0'],
  ] as [string, string, string | null, string][])('reservation: %s', (_name, remaining, basis, expected) => {
    expect(reservationOf(D(remaining), basis === null ? null : D(basis)).toFixed()).toBe(expected);
  });
});

describe('buying power, as a property', () => {
  const money = fc.integer({ min: 0, max: 10_000_000 }).map((c) => D(c).div(100));
  const position = fc
    .record({ q: fc.integer({ min: -1000, max: 1000 }), m: fc.integer({ min: 1, max: 100_000 }) })
    .map(({ q, m }) => ({ quantity: D(q), mark: D(m).div(100) }));

  it('opening a long of notional N at mark M and paying N for it leaves buying power down by N; a short of N, down by N too', () => {
    fc.assert(
      fc.property(
        money,
        money,
        fc.array(position, { maxLength: 5 }),
        fc.integer({ min: 1, max: 100 }),
        (cash, reservations, positions, n) => {
          const mark = D(10);
          const quantity = D(n);
          const before = buyingPowerOf({ cash, reservations, positions });
          // A long: cash pays the notional.
          const long = buyingPowerOf({
            cash: cash.minus(quantity.times(mark)),
            reservations,
            positions: [...positions, { quantity, mark }],
          });
          // A short: cash receives the proceeds, and the short counts twice.
          const short = buyingPowerOf({
            cash: cash.plus(quantity.times(mark)),
            reservations,
            positions: [...positions, { quantity: quantity.neg(), mark }],
          });
          expect(before.minus(long).toFixed()).toBe(quantity.times(mark).toFixed());
          expect(before.minus(short).toFixed()).toBe(quantity.times(mark).toFixed());
        },
      ),
    );
  });
});
