import { ACTIONS, type Action } from '@utm/contracts';
import { isReducing, planLegs, type LegPlan } from '../../src/domain/position-rules';
import type { Rejection, Side } from '../../src/domain/types';
import { D } from './helpers';

/** A plan with decimals as strings. */
interface PlanView {
  close?: { side: Side; position: string };
  open?: { side: Side; defaultQuantity: string | null };
}

function viewPlan(plan: LegPlan | Rejection): PlanView | { reject: string; message: string } {
  if ('kind' in plan) return { reject: plan.code, message: plan.message };
  const out: PlanView = {};
  if (plan.close) out.close = { side: plan.close.side, position: plan.close.position.toFixed() };
  if (plan.open) out.open = { side: plan.open.side, defaultQuantity: plan.open.defaultQuantity?.toFixed() ?? null };
  return out;
}

describe('planLegs', () => {
  const FLAT = '0';
  const LONG = '10';
  const SHORT = '-10';

  const cases: [Action, string, PlanView | { reject: string; message: string }][] = [
    // openLong
    ['openLong', FLAT, { open: { side: 'BUY', defaultQuantity: null } }],
    ['openLong', LONG, { open: { side: 'BUY', defaultQuantity: null } }], // adds to the long
    [
      'openLong',
      SHORT,
      { reject: 'POSITION_CONFLICT', message: 'openLong on a short position of 10 AAPL: use reverseToLong' },
    ],
    // openShort
    ['openShort', FLAT, { open: { side: 'SELL', defaultQuantity: null } }],
    [
      'openShort',
      LONG,
      { reject: 'POSITION_CONFLICT', message: 'openShort on a long position of 10 AAPL: use reverseToShort' },
    ],
    ['openShort', SHORT, { open: { side: 'SELL', defaultQuantity: null } }], // adds to the short
    // closeLong
    ['closeLong', FLAT, { reject: 'NO_POSITION', message: 'No long position in AAPL to close' }],
    ['closeLong', LONG, { close: { side: 'SELL', position: '10' } }],
    ['closeLong', SHORT, { reject: 'NO_POSITION', message: 'No long position in AAPL to close' }],
    // closeShort
    ['closeShort', FLAT, { reject: 'NO_POSITION', message: 'No short position in AAPL to close' }],
    ['closeShort', LONG, { reject: 'NO_POSITION', message: 'No short position in AAPL to close' }],
    ['closeShort', SHORT, { close: { side: 'BUY', position: '10' } }],
    // reverseToLong
    ['reverseToLong', FLAT, { open: { side: 'BUY', defaultQuantity: null } }],
    ['reverseToLong', LONG, { open: { side: 'BUY', defaultQuantity: null } }],
    ['reverseToLong', SHORT, { close: { side: 'BUY', position: '10' }, open: { side: 'BUY', defaultQuantity: '10' } }],
    // reverseToShort
    ['reverseToShort', FLAT, { open: { side: 'SELL', defaultQuantity: null } }],
    [
      'reverseToShort',
      LONG,
      { close: { side: 'SELL', position: '10' }, open: { side: 'SELL', defaultQuantity: '10' } },
    ],
    ['reverseToShort', SHORT, { open: { side: 'SELL', defaultQuantity: null } }],
  ];

  it('covers every action on a flat, long and short position', () => {
    expect(cases).toHaveLength(ACTIONS.length * 3);
  });

  it.each(cases)('%s on a position of %s → %j', (action, position, expected) => {
    expect(viewPlan(planLegs(action, 'AAPL', D(position)))).toEqual(expected);
  });

  it.each([
    ['closeLong', '0.000001', { close: { side: 'SELL', position: '0.000001' } }],
    ['closeShort', '-2.5', { close: { side: 'BUY', position: '2.5' } }],
    [
      'reverseToShort',
      '2.5',
      { close: { side: 'SELL', position: '2.5' }, open: { side: 'SELL', defaultQuantity: '2.5' } },
    ],
    [
      'openLong',
      '-0.000001',
      { reject: 'POSITION_CONFLICT', message: 'openLong on a short position of 0.000001 AAPL: use reverseToLong' },
    ],
  ] as const)('%s on a fractional position of %s', (action, position, expected) => {
    expect(viewPlan(planLegs(action, 'AAPL', D(position)))).toEqual(expected);
  });

  it('names the symbol in its refusals', () => {
    expect(viewPlan(planLegs('closeShort', 'BRK.B', D(0)))).toEqual({
      reject: 'NO_POSITION',
      message: 'No short position in BRK.B to close',
    });
  });
});

describe('isReducing', () => {
  it.each([
    ['openLong', false],
    ['openShort', false],
    ['closeLong', true],
    ['closeShort', true],
    ['reverseToLong', false],
    ['reverseToShort', false],
  ] as const)('%s → %s', (action, expected) => {
    expect(isReducing(action)).toBe(expected);
  });
});
