import type { ExitRules } from '@utm/contracts';
import type { Decimal } from '@utm/db';
import type { EntryFill, ExitLeg } from '../../src/domain/exit-legs';
import { planExitLegs, resizeLegsForEntryFill } from '../../src/domain/exit-legs';
import { D, leg, showAmendment, showDraft } from './helpers';

const pct = (value: number) => ({ type: 'PERCENT' as const, value });
const amt = (value: number) => ({ type: 'AMOUNT' as const, value });
const price = (value: number) => ({ type: 'PRICE' as const, value });

function entry(
  entrySide: 'BUY' | 'SELL',
  filled: string,
  avg: string,
  exitRules: ExitRules,
  tickSize?: Decimal,
): EntryFill {
  return { entrySide, filledQuantity: D(filled), avgFillPrice: D(avg), exitRules, ...(tickSize ? { tickSize } : {}) };
}

/** [role, side, type, limitPrice, stopPrice, trailPercent, trailAmount, trailReference] of each leg. */
type Row = [string, string, string, string | null, string | null, string | null, string | null, string | null];
const rows = (plan: ReturnType<typeof planExitLegs>): Row[] =>
  plan.legs.map((l) => {
    const d = showDraft(l);
    return [d.role, d.side, d.type, d.limitPrice, d.stopPrice, d.trailPercent, d.trailAmount, d.trailReference] as Row;
  });

describe('planExitLegs: legs for the filled quantity, priced from the average fill, rounded away from the money', () => {
  const all = { stopLoss: pct(2), takeProfit: pct(5), trailingStop: pct(3) };
  const cases: [string, EntryFill, Row[]][] = [
    [
      'long, percent',
      entry('BUY', '10', '100', all),
      [
        ['STOP_LOSS', 'SELL', 'STOP', null, '98', null, null, null],
        ['TAKE_PROFIT', 'SELL', 'LIMIT', '105', null, null, null, null],
        ['TRAILING_STOP', 'SELL', 'TRAILING_STOP', null, '97', '3', null, '100'],
      ],
    ],
    [
      'short, percent',
      entry('SELL', '10', '100', all),
      [
        ['STOP_LOSS', 'BUY', 'STOP', null, '102', null, null, null],
        ['TAKE_PROFIT', 'BUY', 'LIMIT', '95', null, null, null, null],
        ['TRAILING_STOP', 'BUY', 'TRAILING_STOP', null, '103', '3', null, '100'],
      ],
    ],
    [
      'long: stop down, target up',
      entry('BUY', '10', '33.333', { stopLoss: pct(2), takeProfit: pct(2), trailingStop: pct(1) }),
      [
        ['STOP_LOSS', 'SELL', 'STOP', null, '32.66', null, null, null], // 32.66634
        ['TAKE_PROFIT', 'SELL', 'LIMIT', '34', null, null, null, null], // 33.99966
        ['TRAILING_STOP', 'SELL', 'TRAILING_STOP', null, '32.99', '1', null, '33.333'], // 32.99967
      ],
    ],
    [
      'short: stop up, target down',
      entry('SELL', '10', '33.333', { stopLoss: pct(2), takeProfit: pct(2), trailingStop: pct(1) }),
      [
        ['STOP_LOSS', 'BUY', 'STOP', null, '34', null, null, null],
        ['TAKE_PROFIT', 'BUY', 'LIMIT', '32.66', null, null, null, null],
        ['TRAILING_STOP', 'BUY', 'TRAILING_STOP', null, '33.67', '1', null, '33.333'], // 33.66633
      ],
    ],
    [
      'long, amounts',
      entry('BUY', '10', '50.005', { stopLoss: amt(1.5), takeProfit: amt(2), trailingStop: amt(0.75) }),
      [
        ['STOP_LOSS', 'SELL', 'STOP', null, '48.5', null, null, null], // 48.505
        ['TAKE_PROFIT', 'SELL', 'LIMIT', '52.01', null, null, null, null], // 52.005
        ['TRAILING_STOP', 'SELL', 'TRAILING_STOP', null, '49.25', null, '0.75', '50.005'], // 49.255
      ],
    ],
    [
      'short, amounts',
      entry('SELL', '10', '50.005', { stopLoss: amt(1.5), takeProfit: amt(2), trailingStop: amt(0.75) }),
      [
        ['STOP_LOSS', 'BUY', 'STOP', null, '51.51', null, null, null],
        ['TAKE_PROFIT', 'BUY', 'LIMIT', '48', null, null, null, null],
        ['TRAILING_STOP', 'BUY', 'TRAILING_STOP', null, '50.76', null, '0.75', '50.005'],
      ],
    ],
    [
      'prices as given',
      entry('BUY', '10', '100', { stopLoss: price(95.5), takeProfit: price(110) }),
      [
        ['STOP_LOSS', 'SELL', 'STOP', null, '95.5', null, null, null],
        ['TAKE_PROFIT', 'SELL', 'LIMIT', '110', null, null, null, null],
      ],
    ],
    [
      'under a dollar: tick 0.0001',
      entry('BUY', '10', '0.5123', { stopLoss: pct(10), takeProfit: pct(10) }),
      [
        ['STOP_LOSS', 'SELL', 'STOP', null, '0.461', null, null, null], // 0.46107
        ['TAKE_PROFIT', 'SELL', 'LIMIT', '0.5636', null, null, null, null], // 0.56353
      ],
    ],
    [
      'an instrument tick of 0.05',
      entry('BUY', '10', '100', { stopLoss: pct(2.47), takeProfit: pct(2.47) }, D('0.05')),
      [
        ['STOP_LOSS', 'SELL', 'STOP', null, '97.5', null, null, null], // 97.53
        ['TAKE_PROFIT', 'SELL', 'LIMIT', '102.5', null, null, null, null], // 102.47
      ],
    ],
  ];

  it.each(cases)('%s', (_name, fill, expected) => {
    const plan = planExitLegs(fill);
    expect(plan.ok).toBe(true);
    expect(rows(plan)).toEqual(expected);
    for (const l of plan.legs)
      expect([l.quantity.toFixed(), l.timeInForce]).toEqual([fill.filledQuantity.toFixed(), 'GTC']);
  });

  it('sized to the filled quantity, fractions included', () => {
    expect(
      planExitLegs(entry('BUY', '0.333333', '100', { stopLoss: pct(1) })).legs.map((l) => l.quantity.toFixed()),
    ).toEqual(['0.333333']);
  });

  it('no rules, or nothing filled: no legs', () => {
    expect(planExitLegs({ entrySide: 'BUY', filledQuantity: D(10), avgFillPrice: D(100), exitRules: null })).toEqual({
      ok: true,
      legs: [],
    });
    expect(planExitLegs(entry('BUY', '0', '100', { stopLoss: pct(1) }))).toEqual({ ok: true, legs: [] });
  });

  it.each([
    [
      'a target the fill gapped through; the stop loss still goes',
      entry('BUY', '10', '100', { stopLoss: pct(2), takeProfit: price(99) }),
      'take profit of a long must be above the entry price 100 (got 99)',
      ['STOP_LOSS'],
    ],
    [
      'a short stop under the fill',
      entry('SELL', '10', '100', { stopLoss: price(99) }),
      'stop loss of a short must be above the entry price 100 (got 99)',
      [],
    ],
    [
      'a trail larger than the price',
      entry('BUY', '10', '100', { trailingStop: amt(150), takeProfit: pct(1) }),
      'trailing stop of 150 leaves no positive stop price',
      ['TAKE_PROFIT'],
    ],
    [
      'two refusals, one sentence each',
      entry('BUY', '10', '100', { stopLoss: price(101), takeProfit: price(99) }),
      'stop loss of a long must be below the entry price 100 (got 101); take profit of a long must be above the entry price 100 (got 99)',
      [],
    ],
  ] as [string, EntryFill, string, string[]][])('refused: %s', (_name, fill, message, kept) => {
    const plan = planExitLegs(fill);
    expect(plan).toMatchObject({ ok: false, message });
    expect(plan.legs.map((l) => l.role)).toEqual(kept);
  });
});

describe('resizeLegsForEntryFill: quantities follow the position, prices the new average', () => {
  const rules = { stopLoss: pct(2), takeProfit: pct(5), trailingStop: pct(3) };
  const longLegs = (overrides: Partial<Record<'sl' | 'tp' | 'tr', Partial<ExitLeg>>> = {}): ExitLeg[] => [
    leg('sl', 'STOP_LOSS', { quantity: D(4), stopPrice: D(98), ...overrides.sl }),
    leg('tp', 'TAKE_PROFIT', { quantity: D(4), limitPrice: D(105), ...overrides.tp }),
    leg('tr', 'TRAILING_STOP', {
      quantity: D(4),
      stopPrice: D(97),
      trailPercent: D(3),
      trailReference: D(100),
      ...overrides.tr,
    }),
  ];

  it('a second fill at a higher price: every leg to 10, re-priced from the average 101', () => {
    const r = resizeLegsForEntryFill(longLegs(), entry('BUY', '10', '101', rules));
    expect(r.amend.map(showAmendment)).toEqual([
      { id: 'sl', quantity: '10', stopPrice: '98.98' },
      { id: 'tp', quantity: '10', limitPrice: '106.05' },
      { id: 'tr', quantity: '10', trailReference: '101', stopPrice: '97.97' },
    ]);
    expect([r.create, r.message]).toEqual([[], null]);
  });

  it('a trailing stop that already moved keeps its better reference and stop', () => {
    const r = resizeLegsForEntryFill(
      longLegs({ tr: { trailReference: D(104), stopPrice: D('100.88') } }),
      entry('BUY', '10', '101', rules),
    );
    expect(r.amend.map(showAmendment)[2]).toEqual({ id: 'tr', quantity: '10' });
  });

  it('a leg already partly filled keeps what it filled and covers the rest of the position', () => {
    const legs = longLegs({ sl: { status: 'PARTIALLY_FILLED', filledQuantity: D(1) } });
    const r = resizeLegsForEntryFill(legs, entry('BUY', '10', '100', rules));
    expect(r.amend.map(showAmendment)).toEqual([
      { id: 'sl', quantity: '10' },
      { id: 'tp', quantity: '9' },
      { id: 'tr', quantity: '9' },
    ]);
  });

  it('nothing changes: nothing to amend', () => {
    const legs = longLegs({ sl: { quantity: D(10) }, tp: { quantity: D(10) }, tr: { quantity: D(10) } });
    expect(resizeLegsForEntryFill(legs, entry('BUY', '10', '100', rules))).toEqual({
      amend: [],
      create: [],
      message: null,
    });
  });

  it('after a leg filled completely the exits are over', () => {
    const legs = longLegs({
      sl: { status: 'FILLED', filledQuantity: D(4) },
      tp: { status: 'CANCELLED' },
      tr: { status: 'CANCELLED' },
    });
    expect(resizeLegsForEntryFill(legs, entry('BUY', '10', '101', rules))).toEqual({
      amend: [],
      create: [],
      message: 'exit leg sl (STOP_LOSS) has already filled: the exits are over',
    });
  });

  it('a rule refused at the first fill gets its leg once it prices; the stop follows the lower average down', () => {
    const withTarget = { stopLoss: pct(2), takeProfit: price(99) };
    const r = resizeLegsForEntryFill(
      [leg('sl', 'STOP_LOSS', { quantity: D(4), stopPrice: D(98) })],
      entry('BUY', '10', '98.5', withTarget),
    );
    expect(r.amend.map(showAmendment)).toEqual([{ id: 'sl', quantity: '10', stopPrice: '96.53' }]);
    expect(r.create.map((d) => [d.role, d.side, d.type, d.quantity.toFixed(), d.limitPrice?.toFixed()])).toEqual([
      ['TAKE_PROFIT', 'SELL', 'LIMIT', '10', '99'],
    ]);
    expect(r.message).toBeNull();
  });

  it('a rule that no longer prices keeps its leg price, and says why', () => {
    const legs = [
      leg('sl', 'STOP_LOSS', { quantity: D(4), stopPrice: D(98) }),
      leg('tp', 'TAKE_PROFIT', { quantity: D(4), limitPrice: D(104) }),
    ];
    const r = resizeLegsForEntryFill(legs, entry('BUY', '10', '104.5', { stopLoss: pct(2), takeProfit: price(104) }));
    expect(r.amend.map(showAmendment)).toEqual([
      { id: 'sl', quantity: '10', stopPrice: '102.41' },
      { id: 'tp', quantity: '10' },
    ]);
    expect(r.message).toBe('take profit of a long must be above the entry price 104.5 (got 104)');
  });

  it('short: the stop follows the average, the trailing stop the lower reference', () => {
    const shortRules = { stopLoss: pct(4), trailingStop: amt(2) };
    const legs = [
      leg('sl', 'STOP_LOSS', { quantity: D(5), stopPrice: D(52) }),
      leg('tr', 'TRAILING_STOP', { quantity: D(5), stopPrice: D(52), trailAmount: D(2), trailReference: D(50) }),
    ];
    expect(resizeLegsForEntryFill(legs, entry('SELL', '8', '49', shortRules)).amend.map(showAmendment)).toEqual([
      { id: 'sl', quantity: '8', stopPrice: '50.96' },
      { id: 'tr', quantity: '8', trailReference: '49', stopPrice: '51' },
    ]);
    const moved = [legs[0] as ExitLeg, { ...(legs[1] as ExitLeg), trailReference: D('48.5'), stopPrice: D('50.5') }];
    expect(resizeLegsForEntryFill(moved, entry('SELL', '8', '49', shortRules)).amend.map(showAmendment)[1]).toEqual({
      id: 'tr',
      quantity: '8',
    });
  });
});
