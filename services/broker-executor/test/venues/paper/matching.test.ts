import type { PaperOrder } from '../../../src/venues/paper/matching';
import { expireIfDue, onArrival, onQuote, sortByTimePriority } from '../../../src/venues/paper/matching';
import { D, NOW, order, show } from './helpers';

type Expected = Record<string, string | boolean>;
const fill = (price: string): Expected => ({ kind: 'FILL', price, quantity: '10' });
const REST: Expected = { kind: 'REST' };
const CANCEL: Expected = { kind: 'CANCEL' };

const limit = (side: 'BUY' | 'SELL', price: string): Partial<PaperOrder> => ({
  side,
  type: 'LIMIT',
  limitPrice: D(price),
});
const stop = (side: 'BUY' | 'SELL', price: string): Partial<PaperOrder> => ({
  side,
  type: 'STOP',
  stopPrice: D(price),
});
const trail = (side: 'BUY' | 'SELL', stopAt: string): Partial<PaperOrder> => ({
  side,
  type: 'TRAILING_STOP',
  trailPercent: D(5),
  trailReference: D(100),
  stopPrice: D(stopAt),
});
const stopLimit = (side: 'BUY' | 'SELL', s: string, l: string): Partial<PaperOrder> => ({
  side,
  type: 'STOP_LIMIT',
  stopPrice: D(s),
  limitPrice: D(l),
});

describe('onArrival and onQuote: every type × side against a quote below, at and above its prices', () => {
  // [name, order, quote, expected] — the same rules on arrival (DAY) and on a later quote.
  const cases: [string, Partial<PaperOrder>, string, Expected][] = [
    ['MARKET BUY fills at the quote', { side: 'BUY' }, '150.25', fill('150.25')],
    ['MARKET SELL fills at the quote', { side: 'SELL' }, '150.25', fill('150.25')],
    ['LIMIT BUY 100, quote below: fills at the better quote', limit('BUY', '100'), '99.5', fill('99.5')],
    ['LIMIT BUY 100, quote at the limit', limit('BUY', '100'), '100', fill('100')],
    ['LIMIT BUY 100, quote above: rests', limit('BUY', '100'), '100.01', REST],
    ['LIMIT SELL 100, quote above: fills at the better quote', limit('SELL', '100'), '100.5', fill('100.5')],
    ['LIMIT SELL 100, quote at the limit', limit('SELL', '100'), '100', fill('100')],
    ['LIMIT SELL 100, quote below: rests', limit('SELL', '100'), '99.99', REST],
    ['STOP BUY 100, quote below: rests', stop('BUY', '100'), '99.99', REST],
    ['STOP BUY 100, quote at the stop: market at the quote', stop('BUY', '100'), '100', fill('100')],
    ['STOP BUY 100, gap above: fills at the gapped quote', stop('BUY', '100'), '104', fill('104')],
    ['STOP SELL 100, quote above: rests', stop('SELL', '100'), '100.01', REST],
    ['STOP SELL 100, quote at the stop', stop('SELL', '100'), '100', fill('100')],
    ['STOP SELL 100, gap below: fills at the gapped quote', stop('SELL', '100'), '93.5', fill('93.5')],
    ['STOP_LIMIT BUY 100/101, below the stop: rests untriggered', stopLimit('BUY', '100', '101'), '99', REST],
    ['STOP_LIMIT BUY 100/101, at the stop: fills', stopLimit('BUY', '100', '101'), '100', fill('100')],
    ['STOP_LIMIT BUY 100/101, between: fills at the quote', stopLimit('BUY', '100', '101'), '100.5', fill('100.5')],
    ['STOP_LIMIT BUY 100/101, at the limit: fills', stopLimit('BUY', '100', '101'), '101', fill('101')],
    [
      'STOP_LIMIT BUY 100/101, gap over the limit: triggered, rests',
      stopLimit('BUY', '100', '101'),
      '102',
      { kind: 'REST', triggered: true },
    ],
    ['STOP_LIMIT SELL 100/99, above the stop: rests untriggered', stopLimit('SELL', '100', '99'), '101', REST],
    ['STOP_LIMIT SELL 100/99, between: fills at the quote', stopLimit('SELL', '100', '99'), '99.5', fill('99.5')],
    [
      'STOP_LIMIT SELL 100/99, gap under the limit: triggered, rests',
      stopLimit('SELL', '100', '99'),
      '98',
      { kind: 'REST', triggered: true },
    ],
    ['TRAILING_STOP SELL 5 % from 100, above the stop 95: rests', trail('SELL', '95'), '96', REST],
    ['TRAILING_STOP SELL, at the stop: market at the quote', trail('SELL', '95'), '95', fill('95')],
    [
      'TRAILING_STOP SELL, a new high: the stop follows',
      trail('SELL', '95'),
      '110',
      { kind: 'REST', trailReference: '110', stopPrice: '104.5' },
    ],
    ['TRAILING_STOP BUY 5 % from 100, under the stop 105: rests', trail('BUY', '105'), '104', REST],
    ['TRAILING_STOP BUY, at the stop: market at the quote', trail('BUY', '105'), '105', fill('105')],
    [
      'TRAILING_STOP BUY, a new low: the stop follows',
      trail('BUY', '105'),
      '90',
      { kind: 'REST', trailReference: '90', stopPrice: '94.5' },
    ],
  ];

  it.each(cases)('arrival: %s', (_name, overrides, quote, expected) => {
    expect(show(onArrival(order(overrides), D(quote), NOW))).toEqual(expected);
  });

  it.each(cases)('quote: %s', (_name, overrides, quote, expected) => {
    expect(show(onQuote(order(overrides), D(quote), NOW))).toEqual(expected);
  });
});

describe('IOC and FOK: all now at the quote, or cancelled (paper liquidity is infinite)', () => {
  // [name, order, quote or null, expected]
  const cases: [string, Partial<PaperOrder>, string | null, Expected][] = [
    ['MARKET', {}, '150', fill('150')],
    ['LIMIT BUY marketable', limit('BUY', '100'), '99', fill('99')],
    ['LIMIT BUY not marketable', limit('BUY', '100'), '101', CANCEL],
    ['LIMIT SELL marketable', limit('SELL', '100'), '100', fill('100')],
    ['LIMIT SELL not marketable', limit('SELL', '100'), '99', CANCEL],
    ['STOP already triggered', stop('SELL', '100'), '99', fill('99')],
    ['STOP not triggered', stop('BUY', '100'), '99', CANCEL],
    ['STOP_LIMIT triggered and marketable', stopLimit('BUY', '100', '101'), '100.5', fill('100.5')],
    ['STOP_LIMIT triggered, limit not marketable', stopLimit('BUY', '100', '101'), '102', CANCEL],
    ['MARKET with no quote', {}, null, CANCEL],
    ['LIMIT with no quote', limit('BUY', '100'), null, CANCEL],
  ];
  for (const tif of ['IOC', 'FOK'] as const) {
    it.each(cases)(`${tif}: %s`, (_name, overrides, quote, expected) => {
      const outcome = onArrival(order({ ...overrides, timeInForce: tif }), quote === null ? null : D(quote), NOW);
      expect(show(outcome)).toEqual(expected);
      if (outcome.kind === 'CANCEL')
        expect(outcome.reason).toMatch(new RegExp(`^${tif} order not marketable on arrival: `));
    });
  }
});

describe('arrival without a quote: DAY and GTC orders rest until the first quote', () => {
  it.each([
    ['MARKET DAY', { timeInForce: 'DAY' }],
    ['MARKET GTC', { timeInForce: 'GTC' }],
    ['LIMIT GTC', { ...limit('SELL', '100'), timeInForce: 'GTC' }],
    ['STOP DAY', stop('BUY', '100')],
  ] as [string, Partial<PaperOrder>][])('%s rests', (_name, overrides) => {
    const rested = onArrival(order(overrides), null, NOW);
    expect(rested).toMatchObject({ kind: 'REST', reason: 'no quote for the symbol yet' });
    // The first quote then fills a market order at that quote.
    if (!overrides.type) expect(show(onQuote(order(overrides), D('151'), NOW))).toEqual(fill('151'));
  });

  it('a non-positive quote is no quote', () => {
    expect(onArrival(order(), D(0), NOW).kind).toBe('REST');
    expect(onQuote(order(), D('-1'), NOW)).toMatchObject({
      kind: 'REST',
      changes: {},
      reason: 'quote -1 is not a usable price',
    });
  });
});

describe('orders that cannot be worked are rejected, with the reason', () => {
  it.each([
    ['LIMIT without a limit price', { type: 'LIMIT' }, 'LIMIT order without a limit price'],
    ['STOP without a stop price', { type: 'STOP' }, 'STOP order without a stop price'],
    ['STOP_LIMIT without a stop', { type: 'STOP_LIMIT', limitPrice: D(10) }, 'STOP_LIMIT order without a stop price'],
    ['STOP_LIMIT without a limit', { type: 'STOP_LIMIT', stopPrice: D(10) }, 'STOP_LIMIT order without a limit price'],
    ['a zero limit', { type: 'LIMIT', limitPrice: D(0) }, "LIMIT order's limit price must be positive (got 0)"],
    [
      'a trailing stop with neither trail',
      { type: 'TRAILING_STOP' },
      'a trailing stop needs exactly one of trail percent and trail amount',
    ],
    [
      'a trailing stop with both',
      { type: 'TRAILING_STOP', trailPercent: D(1), trailAmount: D(1) },
      'a trailing stop needs exactly one of trail percent and trail amount',
    ],
    [
      'a 100 % trail',
      { type: 'TRAILING_STOP', trailPercent: D(100) },
      'trail percent must be above 0 and below 100 (got 100)',
    ],
    ['nothing remaining', { remaining: D(0) }, 'nothing left to fill (remaining 0)'],
  ] as [string, Partial<PaperOrder>, string][])('%s', (_name, overrides, reason) => {
    expect(onArrival(order(overrides), D(100), NOW)).toEqual({ kind: 'REJECT', reason });
    expect(onQuote(order(overrides), D(100), NOW)).toEqual({ kind: 'REJECT', reason });
  });
});

describe('DAY expiry: at or after expiresAt, before any fill', () => {
  const close = new Date('2026-11-25T21:00:00.000Z');
  const dayOrder = order({ ...limit('BUY', '100'), expiresAt: close });
  const at = (iso: string): Date => new Date(iso);

  it.each([
    ['a millisecond before the close: works normally', '2026-11-25T20:59:59.999Z', 'FILL'],
    ['exactly at the close: expired', '2026-11-25T21:00:00.000Z', 'EXPIRE'],
    ['after the close: expired, though the quote is marketable', '2026-11-26T14:30:00.000Z', 'EXPIRE'],
  ])('%s', (_name, now, kind) => {
    expect(onQuote(dayOrder, D(99), at(now)).kind).toBe(kind);
    expect(onArrival(dayOrder, D(99), at(now)).kind).toBe(kind);
  });

  it('says when, and a GTC order (no expiresAt) never expires', () => {
    expect(expireIfDue(dayOrder, close)).toEqual({
      kind: 'EXPIRE',
      reason: 'DAY order expired at the session close 2026-11-25T21:00:00.000Z',
    });
    expect(expireIfDue(dayOrder, at('2026-11-25T20:00:00.000Z'))).toBeNull();
    expect(expireIfDue(order({ timeInForce: 'GTC' }), at('2099-01-01T00:00:00.000Z'))).toBeNull();
  });
});

describe('sortByTimePriority', () => {
  it('orders by seq (bigint, beyond 2^53 too), ties by id, without touching its input', () => {
    const input = [
      { id: 'c', seq: 9007199254740993n },
      { id: 'a', seq: 7n },
      { id: 'b', seq: 9007199254740992n },
      { id: 'e', seq: 2n },
      { id: 'd', seq: 2n },
    ];
    const copy = [...input];
    expect(sortByTimePriority(input).map((o) => o.id)).toEqual(['d', 'e', 'a', 'b', 'c']);
    expect(input).toEqual(copy);
  });

  it('a quote that triggers two stop legs fills the earlier one first', () => {
    const legs = sortByTimePriority([
      order({ id: 'late', seq: 20n, ...stop('SELL', '95') }),
      order({ id: 'early', seq: 10n, ...stop('SELL', '96') }),
    ]);
    const outcomes = legs.map((o) => [o.id, onQuote(o, D(94), NOW).kind]);
    expect(outcomes).toEqual([
      ['early', 'FILL'],
      ['late', 'FILL'],
    ]);
  });
});
