import { isOpenOrder, type ExitRules } from '@utm/contracts';
import { Decimal } from '@utm/db';
import fc from 'fast-check';
import { applyFill, type FillResult } from '../../src/domain/fill';
import type { ExecOrder } from '../../src/domain/order';
import type { PositionState } from '../../src/domain/positions';
import { D, execOrder } from './helpers';

/**
 * Random sequences of partial fills of an entry and of its exit legs, the leg changes carried
 * out at once as the paper engine does (a leg rests at once, is resized in place, a cancel is
 * immediate). Whatever the sequence: position and cash are the sum of the executions; every
 * working leg covers exactly the position left (never more: a leg can never sell what is not
 * held; never less: no part of the position without its exits); once an exit closes the
 * position nothing of the group works any more, the entry's rest included.
 */
const CASH = D('100000');
const AT = new Date('2026-11-25T15:00:00.000Z');

interface Book {
  entry: ExecOrder;
  legs: ExecOrder[];
  position: PositionState | null;
  cash: Decimal;
  /** Σ signed quantity and Σ signed notional of every execution, to check against. */
  bought: Decimal;
  paid: Decimal;
  ids: number;
}

/** Carries out what applyFill decided, as a venue whose leg changes take effect at once. */
function carryOut(b: Book, r: FillResult): void {
  const put = (o: ExecOrder) => {
    if (o.id === b.entry.id) b.entry = o;
    else b.legs = b.legs.map((l) => (l.id === o.id ? o : l));
  };
  put(r.order);
  b.position = r.position;
  b.cash = r.cash;
  for (const c of r.legs.cancel) {
    const o = c.id === b.entry.id ? b.entry : b.legs.find((l) => l.id === c.id);
    if (o && isOpenOrder(o.status)) put({ ...o, status: 'CANCELLED' });
  }
  for (const a of r.legs.resize.amendments) {
    const l = b.legs.find((x) => x.id === a.id);
    if (l)
      put({
        ...l,
        quantity: a.quantity ?? l.quantity,
        limitPrice: a.limitPrice ?? l.limitPrice,
        stopPrice: a.stopPrice ?? l.stopPrice,
        trailReference: a.trailReference ?? l.trailReference,
      });
  }
  for (const n of r.legs.create)
    b.legs.push(
      execOrder({
        ...n.draft,
        id: n.id,
        role: n.draft.role,
        parentOrderId: b.entry.id,
        status: 'ACCEPTED',
        priceBasis: null,
        carriedBy: n.carriedBy,
      }),
    );
}

type Step = { kind: 'entry' | 'leg'; pick: number; part: number; cents: number };

const step: fc.Arbitrary<Step> = fc.record({
  kind: fc.constantFrom('entry' as const, 'leg' as const),
  pick: fc.nat(),
  part: fc.integer({ min: 1, max: 100 }),
  cents: fc.integer({ min: 9000, max: 11000 }),
});

const rules: fc.Arbitrary<ExitRules> = fc.constantFrom<ExitRules>(
  { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 5 } },
  {
    stopLoss: { type: 'PERCENT', value: 2 },
    takeProfit: { type: 'PERCENT', value: 5 },
    trailingStop: { type: 'PERCENT', value: 3 },
  },
  { stopLoss: { type: 'PRICE', value: 80 } },
  { takeProfit: { type: 'AMOUNT', value: 3 }, trailingStop: { type: 'AMOUNT', value: 2 } },
);

function run(side: 'BUY' | 'SELL', quantity: number, exitRules: ExitRules, steps: Step[]): void {
  const b: Book = {
    entry: execOrder({ id: 'e', side, quantity: D(quantity), status: 'ACCEPTED', exitRules }),
    legs: [],
    position: null,
    cash: CASH,
    bought: D(0),
    paid: D(0),
    ids: 0,
  };
  const sign = (s: 'BUY' | 'SELL') => (s === 'BUY' ? 1 : -1);
  for (const s of steps) {
    const working = b.legs.filter((l) => isOpenOrder(l.status));
    const order = s.kind === 'entry' ? b.entry : working[s.pick % Math.max(1, working.length)];
    if (!order || !isOpenOrder(order.status)) continue;
    const remaining = order.quantity.minus(order.filledQuantity);
    if (remaining.lte(0)) continue;
    // Whole units, at least one, at most what is left.
    const q = Decimal.max(1, remaining.times(s.part).div(100).floor());
    const price = D(s.cents).div(100);
    const r = applyFill({
      order,
      position: b.position,
      cash: b.cash,
      fill: { id: `${order.id}:${order.filledQuantity.plus(q).toFixed()}`, quantity: q, price, at: AT },
      entry: s.kind === 'leg' ? b.entry : null,
      legs: b.legs,
      exits: null,
      newId: () => `leg-${++b.ids}`,
    });
    carryOut(b, r);
    b.bought = b.bought.plus(q.times(sign(order.side)));
    b.paid = b.paid.plus(q.times(price).times(sign(order.side)));

    // Position and cash are the executions' sums.
    const held = (b.position?.quantity ?? D(0)).times(sign(side));
    expect(b.position?.quantity.toFixed()).toBe(b.bought.toFixed());
    expect(b.cash.toFixed()).toBe(CASH.minus(b.paid).toFixed());
    expect(held.toFixed()).toBe(
      b.legs.reduce((left, l) => left.minus(l.filledQuantity), b.entry.filledQuantity).toFixed(),
    );
    // Every working leg covers the position left, exactly; nothing is over-closed.
    expect(held.gte(0)).toBe(true);
    for (const l of b.legs.filter((x) => isOpenOrder(x.status)))
      expect(`${l.role} ${l.quantity.minus(l.filledQuantity).toFixed()}`).toBe(`${l.role} ${held.toFixed()}`);
    // Closed by an exit: nothing of the group works any more.
    if (held.isZero() && b.legs.some((l) => l.filledQuantity.gt(0))) {
      expect(b.legs.filter((l) => isOpenOrder(l.status))).toEqual([]);
      expect(isOpenOrder(b.entry.status)).toBe(false);
    }
  }
}

describe('applyFill over random sequences of entry and exit-leg fills', () => {
  it('keeps position, cash and the exits of the position in step', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BUY' as const, 'SELL' as const),
        fc.integer({ min: 1, max: 40 }),
        rules,
        fc.array(step, { minLength: 1, maxLength: 25 }),
        run,
      ),
      { numRuns: 500 },
    );
  });
});
