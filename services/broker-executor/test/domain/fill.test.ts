import { IllegalTransitionError, type ExitRules } from '@utm/contracts';
import { ALPACA_CAPABILITIES } from '../../src/venues/alpaca';
import { legsForBroker } from '../../src/domain/exit-legs';
import { applyFill, type FillInput, type FillResult } from '../../src/domain/fill';
import type { ExecOrder } from '../../src/domain/order';
import { D, execOrder } from './helpers';

const AT = new Date('2026-11-25T15:00:00.000Z');
const pct = (value: number) => ({ type: 'PERCENT' as const, value });
const price = (value: number) => ({ type: 'PRICE' as const, value });

function ids(): () => string {
  let n = 0;
  return () => `leg-${++n}`;
}

function input(order: ExecOrder, quantity: string, at: string, overrides: Partial<FillInput> = {}): FillInput {
  return {
    order,
    position: null,
    cash: D('100000'),
    fill: { id: `x:${order.id}:${quantity}`, quantity: D(quantity), price: D(at), at: AT },
    entry: null,
    legs: [],
    exits: null,
    newId: ids(),
    ...overrides,
  };
}

/** The order, position and cash of a result as strings. */
const money = (r: FillResult) => ({
  status: r.order.status,
  filled: r.order.filledQuantity.toFixed(),
  avg: r.order.avgFillPrice?.toFixed() ?? null,
  position: `${r.position.quantity.toFixed()} @ ${r.position.avgPrice.toFixed()}`,
  cashDelta: r.cashDelta.toFixed(),
  cash: r.cash.toFixed(),
});

describe('applyFill: the order, the position and cash', () => {
  const pos = (q: string, avg: string) => ({ quantity: D(q), avgPrice: D(avg) });
  // [name, order, position, fill quantity, fill price, expected]
  const cases: [string, ExecOrder, ReturnType<typeof pos> | null, string, string, ReturnType<typeof money>][] = [
    [
      'a buy from flat fills completely',
      execOrder({ status: 'ACCEPTED' }),
      null,
      '10',
      '100',
      { status: 'FILLED', filled: '10', avg: '100', position: '10 @ 100', cashDelta: '-1000', cash: '99000' },
    ],
    [
      'a first part',
      execOrder({ status: 'ACCEPTED' }),
      null,
      '4',
      '100',
      { status: 'PARTIALLY_FILLED', filled: '4', avg: '100', position: '4 @ 100', cashDelta: '-400', cash: '99600' },
    ],
    [
      'the rest at another price: the average is weighted',
      execOrder({ status: 'PARTIALLY_FILLED', filledQuantity: D(4), avgFillPrice: D(100) }),
      pos('4', '100'),
      '6',
      '110',
      { status: 'FILLED', filled: '10', avg: '106', position: '10 @ 106', cashDelta: '-660', cash: '99340' },
    ],
    [
      'a sell reduces a long and keeps its average',
      execOrder({ role: 'CLOSE', side: 'SELL', quantity: D(4), status: 'ACCEPTED' }),
      pos('10', '100'),
      '4',
      '120',
      { status: 'FILLED', filled: '4', avg: '120', position: '6 @ 100', cashDelta: '480', cash: '100480' },
    ],
    [
      'a sell through zero opens a short at the fill price',
      execOrder({ side: 'SELL', quantity: D(8), status: 'ACCEPTED' }),
      pos('5', '100'),
      '8',
      '90',
      { status: 'FILLED', filled: '8', avg: '90', position: '-3 @ 90', cashDelta: '720', cash: '100720' },
    ],
    [
      'adding to a short averages it',
      execOrder({ side: 'SELL', quantity: D(5), status: 'ACCEPTED' }),
      pos('-5', '100'),
      '5',
      '110',
      { status: 'FILLED', filled: '5', avg: '110', position: '-10 @ 105', cashDelta: '550', cash: '100550' },
    ],
    [
      'closing exactly: flat, no average',
      execOrder({ role: 'CLOSE', side: 'SELL', quantity: D(5), status: 'ACCEPTED' }),
      pos('5', '100'),
      '5',
      '99.5',
      { status: 'FILLED', filled: '5', avg: '99.5', position: '0 @ 0', cashDelta: '497.5', cash: '100497.5' },
    ],
    [
      "the position's average to 10 places, as stored",
      execOrder({ quantity: D(2), status: 'ACCEPTED' }),
      pos('1', '1'),
      '2',
      '2',
      { status: 'FILLED', filled: '2', avg: '2', position: '3 @ 1.6666666667', cashDelta: '-4', cash: '99996' },
    ],
    [
      'a fill reported after our cancel (the cancel raced it) is recorded',
      execOrder({ status: 'CANCELLED' }),
      null,
      '3',
      '100',
      { status: 'PARTIALLY_FILLED', filled: '3', avg: '100', position: '3 @ 100', cashDelta: '-300', cash: '99700' },
    ],
    [
      'fractions, exact',
      execOrder({ quantity: D('0.333333'), status: 'ACCEPTED' }),
      null,
      '0.333333',
      '3.03',
      {
        status: 'FILLED',
        filled: '0.333333',
        avg: '3.03',
        position: '0.333333 @ 3.03',
        cashDelta: '-1.00999899',
        cash: '99998.99000101',
      },
    ],
  ];

  it.each(cases)('%s', (_name, order, position, quantity, at, expected) => {
    const r = applyFill(input(order, quantity, at, { position }));
    expect(money(r)).toEqual(expected);
    expect(r.record).toEqual({
      orderId: order.id,
      brokerFillId: `x:${order.id}:${quantity}`,
      quantity: D(quantity),
      price: D(at),
      at: AT,
    });
    expect(r.events[0]).toEqual({
      orderId: order.id,
      type: expected.status === 'FILLED' ? 'ORDER_FILLED' : 'ORDER_PARTIALLY_FILLED',
      message: `${order.role} ${order.side} ${quantity} XYZ @ ${at} (${expected.filled} of ${order.quantity.toFixed()} filled)`,
    });
    expect(r.legs).toEqual({ create: [], resize: { amendments: [], why: '', filledLegId: null }, cancel: [] });
  });

  it('an order the lifecycle does not let fill (REJECTED) is refused: nothing to record', () => {
    expect(() => applyFill(input(execOrder({ status: 'REJECTED' }), '1', '100'))).toThrow(IllegalTransitionError);
  });

  it('an over-fill of a FILLED order is recorded; the order stays FILLED', () => {
    const r = applyFill(
      input(execOrder({ status: 'FILLED', filledQuantity: D(10), avgFillPrice: D(100) }), '1', '100'),
    );
    expect([r.order.status, r.order.filledQuantity.toFixed(), r.position.quantity.toFixed()]).toEqual([
      'FILLED',
      '11',
      '1',
    ]);
  });

  it('does not change what it is given', () => {
    const o = execOrder({ status: 'ACCEPTED' });
    const position = { quantity: D(1), avgPrice: D(1) };
    applyFill(input(o, '10', '100', { position }));
    expect([o.status, o.filledQuantity.toFixed(), position.quantity.toFixed()]).toEqual(['ACCEPTED', '0', '1']);
  });
});

const RULES: ExitRules = { stopLoss: price(95), takeProfit: pct(5) };
const legRow = (id: string, role: 'STOP_LOSS' | 'TAKE_PROFIT', overrides: Partial<ExecOrder> = {}): ExecOrder =>
  execOrder({
    id,
    role,
    parentOrderId: 'e',
    side: 'SELL',
    type: role === 'STOP_LOSS' ? 'STOP' : 'LIMIT',
    stopPrice: role === 'STOP_LOSS' ? D(95) : null,
    limitPrice: role === 'TAKE_PROFIT' ? D(105) : null,
    status: 'ACCEPTED',
    priceBasis: null,
    ...overrides,
  });

describe('applyFill: the exit legs of an entry', () => {
  const entry = (overrides: Partial<ExecOrder> = {}) =>
    execOrder({ id: 'e', status: 'ACCEPTED', exitRules: RULES, ...overrides });

  it("an entry's first fill creates its legs, sized to the fill, priced from it", () => {
    const r = applyFill(input(entry(), '4', '100'));
    expect(r.legs.create.map((l) => [l.id, l.draft.role, l.draft.quantity.toFixed(), l.carriedBy, l.message])).toEqual([
      ['leg-1', 'STOP_LOSS', '4', null, 'STOP_LOSS SELL 4 XYZ stop 95 GTC'],
      ['leg-2', 'TAKE_PROFIT', '4', null, 'TAKE_PROFIT SELL 4 XYZ limit 105 GTC'],
    ]);
    expect(r.events.map((e) => e.type)).toEqual(['ORDER_PARTIALLY_FILLED']);
  });

  it('at a broker with native OCO the stop loss travels with the take profit', () => {
    const routing = legsForBroker(ALPACA_CAPABILITIES, RULES);
    const r = applyFill(input(entry(), '10', '100', { exits: { terms: {}, routing } }));
    expect(r.legs.create.map((l) => [l.id, l.draft.role, l.carriedBy])).toEqual([
      ['leg-1', 'STOP_LOSS', 'leg-2'],
      ['leg-2', 'TAKE_PROFIT', null],
    ]);
    expect(r.legs.create[0]?.message).toBe(
      'STOP_LOSS SELL 10 XYZ stop 95 GTC, one-cancels-other at the broker with leg-2',
    );
  });

  it("a rule the venue cannot hold is refused with why; the venue's tick and stop type price the others", () => {
    // Alpaca holds one closing order per share: the trailing stop beside the OCO pair would be a second one.
    const rules: ExitRules = { ...RULES, trailingStop: pct(3) };
    const routing = legsForBroker(ALPACA_CAPABILITIES, rules);
    const stopLimit = { tickSize: D('0.5'), stopType: 'STOP_LIMIT' as const };
    const r = applyFill(input(entry({ exitRules: rules }), '10', '100', { exits: { terms: stopLimit, routing } }));
    expect(
      r.legs.create.map((l) => [
        l.draft.role,
        l.draft.type,
        l.draft.stopPrice?.toFixed(),
        l.draft.limitPrice?.toFixed(),
      ]),
    ).toEqual([
      ['STOP_LOSS', 'STOP_LIMIT', '95', expect.any(String)],
      ['TAKE_PROFIT', 'LIMIT', undefined, '105'],
    ]);
    expect(r.events.filter((e) => e.type === 'EXIT_RULE_REFUSED').map((e) => e.message)).toEqual([
      expect.stringMatching(/^TRAILING_STOP not placed: the broker holds one closing order per share/),
    ]);
  });

  it('a rule that does not hold at the fill is refused, the others are still placed', () => {
    const r = applyFill(input(entry({ exitRules: { stopLoss: pct(2), takeProfit: price(99) } }), '10', '100'));
    expect(r.legs.create.map((l) => l.draft.role)).toEqual(['STOP_LOSS']);
    expect(r.events.map((e) => [e.orderId, e.type])).toEqual([
      ['e', 'ORDER_FILLED'],
      ['e', 'EXIT_RULE_REFUSED'],
    ]);
  });

  it('an entry without exit rules, and a close, change no legs', () => {
    for (const o of [entry({ exitRules: null }), execOrder({ role: 'CLOSE', side: 'SELL', status: 'ACCEPTED' })])
      expect(applyFill(input(o, '10', '100')).legs.create).toEqual([]);
  });

  it('a further entry fill resizes the legs to the position and reprices them from the new average', () => {
    const legs = [legRow('sl', 'STOP_LOSS', { quantity: D(4) }), legRow('tp', 'TAKE_PROFIT', { quantity: D(4) })];
    const filled = entry({ status: 'PARTIALLY_FILLED', filledQuantity: D(4), avgFillPrice: D(100) });
    const r = applyFill(input(filled, '6', '110', { legs }));
    expect(r.legs.create).toEqual([]);
    expect(r.legs.resize.why).toBe('entry filled 10');
    // The stop is a PRICE (stays 95); the 5 % target follows the average, 106 → 111.3.
    expect(r.legs.resize.amendments.map((a) => [a.id, a.quantity?.toFixed(), a.limitPrice?.toFixed()])).toEqual([
      ['sl', '10', undefined],
      ['tp', '10', '111.3'],
    ]);
  });

  // [name, the leg filling and how much, its sibling, the entry, expected cancels, resizes, events]
  const legCases: [string, ExecOrder, string, ExecOrder, ExecOrder, string[], string[], string[]][] = [
    [
      'the stop fills completely: the target is cancelled',
      legRow('sl', 'STOP_LOSS'),
      '10',
      legRow('tp', 'TAKE_PROFIT'),
      entry({ status: 'FILLED', filledQuantity: D(10), avgFillPrice: D(100) }),
      [
        'tp: One-cancels-other: the stop loss filled, closing what its entry bought (10 XYZ); this take profit is no longer needed',
      ],
      [],
      ['ORDER_FILLED'],
    ],
    [
      "the stop closes the position while the entry still works: the entry's rest is cancelled too",
      legRow('sl', 'STOP_LOSS', { quantity: D(4) }),
      '4',
      legRow('tp', 'TAKE_PROFIT', { quantity: D(4) }),
      entry({ status: 'PARTIALLY_FILLED', filledQuantity: D(4), avgFillPrice: D(100) }),
      [
        'tp: One-cancels-other: the stop loss filled, closing what its entry bought (4 XYZ); this take profit is no longer needed',
        'e: The stop loss closed what this entry had filled: its unfilled rest is cancelled',
      ],
      [],
      ['ORDER_FILLED'],
    ],
    [
      'the target fills in part: the stop follows what is left',
      legRow('tp', 'TAKE_PROFIT'),
      '3',
      legRow('sl', 'STOP_LOSS'),
      entry({ status: 'FILLED', filledQuantity: D(10), avgFillPrice: D(100) }),
      [],
      ['sl → 7'],
      ['ORDER_PARTIALLY_FILLED'],
    ],
    [
      'both executed before one could be cancelled: the excess is flagged',
      legRow('tp', 'TAKE_PROFIT'),
      '10',
      legRow('sl', 'STOP_LOSS', { status: 'FILLED', filledQuantity: D(10) }),
      entry({ status: 'FILLED', filledQuantity: D(10), avgFillPrice: D(100) }),
      [],
      [],
      ['ORDER_FILLED', 'EXCESS_CLOSE'],
    ],
  ];

  it.each(legCases)('%s', (_name, leg, quantity, sibling, e, cancels, resizes, events) => {
    const r = applyFill(input(leg, quantity, '95', { entry: e, legs: [leg, sibling] }));
    expect(r.legs.cancel.map((c) => `${c.id}: ${c.why}`)).toEqual(cancels);
    expect(r.legs.resize.amendments.map((a) => `${a.id} → ${a.quantity?.toFixed()}`)).toEqual(resizes);
    expect(r.legs.resize.filledLegId).toBe(leg.id);
    expect(r.events.map((x) => x.type)).toEqual(events);
    expect(r.legs.create).toEqual([]);
  });
});
