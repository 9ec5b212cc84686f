import type { ExitRules } from '@utm/contracts';
import type { ExecOrder } from '../../../src/domain/order';
import { PaperBatch } from '../../../src/venues/paper/batch';
import type { PaperBook } from '../../../src/venues/paper/book';
import { book, CLOCK, row } from './book-helpers';
import { D, NOW } from './helpers';

/**
 * The quote engine's side of the paper batch: resting orders re-evaluated against the latest
 * quote (or the session close), in time priority, each seeing what the ones before it did —
 * through the same fill function and writes as a placement.
 */
function reevaluate(orders: ExecOrder[], b: PaperBook) {
  let n = 0;
  const batch = new PaperBatch(b, CLOCK, NOW, () => `leg-${++n}`);
  for (const o of orders) batch.reevaluate(o);
  return batch.writes;
}

const RULES: ExitRules = { stopLoss: { type: 'PRICE', value: 95 }, takeProfit: { type: 'PERCENT', value: 5 } };

/** A filled long entry of 10 at 100 with its resting stop (95) and target (105). */
function position(entry: Partial<ExecOrder> = {}) {
  const e = row({ status: 'FILLED', filledQuantity: D(10), avgFillPrice: D(100), exitRules: RULES, ...entry });
  const leg = (role: 'STOP_LOSS' | 'TAKE_PROFIT') =>
    row({
      role,
      signalId: e.signalId,
      parentOrderId: e.id,
      ocoGroup: e.id,
      side: 'SELL',
      type: role === 'STOP_LOSS' ? 'STOP' : 'LIMIT',
      stopPrice: role === 'STOP_LOSS' ? D(95) : null,
      limitPrice: role === 'TAKE_PROFIT' ? D(105) : null,
      quantity: D(10),
      status: 'ACCEPTED',
      priceBasis: null,
    });
  return { e, sl: leg('STOP_LOSS'), tp: leg('TAKE_PROFIT') };
}

const types = (w: ReturnType<typeof reevaluate>, orderId: string) =>
  w.events.filter((e) => e.orderId === orderId).map((e) => e.type);

describe('PaperBatch.reevaluate: resting orders meet the quote', () => {
  it('a resting limit entry fills at the quote, with its legs created resting and its signal FILLED', () => {
    const o = row({ type: 'LIMIT', limitPrice: D(90), status: 'ACCEPTED', exitRules: RULES });
    const w = reevaluate([o], book([o], { quotes: { XYZ: '89.5' } }));
    expect(w.orders.get(o.id)).toMatchObject({ status: 'FILLED' });
    expect(w.orders.get(o.id)?.avgFillPrice?.toFixed()).toBe('89.5');
    // The PRICE stop at 95 is above a long's fill at 89.5: refused; the target is still placed.
    expect([...w.legs.values()].map((l) => [l.id, l.role, l.status, l.limitPrice?.toFixed()])).toEqual([
      ['leg-1', 'TAKE_PROFIT', 'ACCEPTED', '93.98'],
    ]);
    expect(types(w, o.id)).toEqual(['ORDER_FILLED', 'EXIT_RULE_REFUSED']);
    expect(types(w, 'leg-1')).toEqual(['EXIT_LEG_CREATED']);
    expect(w.signals.get(o.signalId)?.status).toBe('FILLED');
    expect(w.milestones.map((m) => m.kind)).toEqual(['filled']);
    expect(w.cashDelta.get('A')?.toFixed()).toBe('-895');
  });

  it('a quote gapping through the stop: the stop fills at the quote and cancels the target, the position is closed', () => {
    const { e, sl, tp } = position();
    const w = reevaluate([sl, tp], book([e, sl, tp], { positions: { XYZ: ['10', '100'] }, quotes: { XYZ: '94.2' } }));
    expect(w.orders.get(sl.id)).toMatchObject({ status: 'FILLED' });
    expect(w.orders.get(tp.id)).toMatchObject({
      status: 'CANCELLED',
      errorCode: 'ORDER_CANCELLED',
      errorMessage:
        'One-cancels-other: the stop loss filled, closing what its entry bought (10 XYZ); this take profit is no longer needed',
    });
    expect(w.positions.get('A\u0000XYZ')?.quantity.toFixed()).toBe('0');
    expect(w.cashDelta.get('A')?.toFixed()).toBe('942');
    expect(types(w, sl.id)).toEqual(['ORDER_FILLED']);
    expect(types(w, tp.id)).toEqual(['ORDER_CANCELLED']);
    // The entry's signal was FILLED and stays so: exits belong to the position.
    expect(w.signals.size).toBe(0);
    expect(w.fills).toHaveLength(1);
  });

  it("an exit that closes what a partly filled entry holds cancels the entry's rest and settles its signal", () => {
    const { e, sl, tp } = position({ status: 'PARTIALLY_FILLED', filledQuantity: D(4), quantity: D(10) });
    const small = { ...sl, quantity: D(4) };
    const w = reevaluate([small], book([e, small, { ...tp, quantity: D(4) }], { quotes: { XYZ: '95' } }));
    expect(w.orders.get(e.id)).toMatchObject({
      status: 'CANCELLED',
      errorMessage: 'The stop loss closed what this entry had filled: its unfilled rest is cancelled',
    });
    expect(w.orders.get(tp.id)?.status).toBe('CANCELLED');
    expect(w.signals.get(e.signalId)?.status).toBe('CANCELLED');
  });

  it('a trailing stop follows a new high and writes its new stop; nothing is filled', () => {
    const e = row({
      status: 'FILLED',
      filledQuantity: D(4),
      avgFillPrice: D(50),
      exitRules: { trailingStop: { type: 'PERCENT', value: 10 } },
    });
    const trail = row({
      role: 'TRAILING_STOP',
      signalId: e.signalId,
      parentOrderId: e.id,
      side: 'SELL',
      type: 'TRAILING_STOP',
      quantity: D(4),
      trailPercent: D(10),
      trailReference: D(50),
      stopPrice: D(45),
      status: 'ACCEPTED',
      priceBasis: null,
    });
    const w = reevaluate([trail], book([e, trail], { quotes: { XYZ: '60' } }));
    expect([w.orders.get(trail.id)?.stopPrice?.toFixed(), w.orders.get(trail.id)?.trailReference?.toFixed()]).toEqual([
      '54',
      '60',
    ]);
    expect(w.fills).toEqual([]);
    expect(w.events).toEqual([]);
  });

  it('a DAY order at its session close expires, quote or not', () => {
    const o = row({ type: 'LIMIT', limitPrice: D(90), status: 'ACCEPTED', timeInForce: 'DAY', expiresAt: NOW });
    const w = reevaluate([o], book([o], { quotes: {} }));
    expect(w.orders.get(o.id)).toMatchObject({ status: 'EXPIRED', errorCode: 'ORDER_EXPIRED' });
    expect(w.signals.get(o.signalId)?.status).toBe('EXPIRED');
  });

  it('an order asked to cancel, or already ended, does not trade', () => {
    const asked = row({ type: 'LIMIT', limitPrice: D(90), status: 'ACCEPTED', cancelRequestedAt: NOW });
    const ended = row({ type: 'LIMIT', limitPrice: D(90), status: 'CANCELLED' });
    const w = reevaluate([asked, ended], book([asked, ended], { quotes: { XYZ: '80' } }));
    expect(w.orders.size + w.fills.length + w.events.length).toBe(0);
  });

  it('an exit leg whose entry is not in the book is a bug, said so', () => {
    const { e, sl } = position();
    const b = book([sl], { quotes: { XYZ: '90' } });
    expect(() => reevaluate([sl], b)).toThrow(`the exit legs of order ${e.id} are not in the batch`);
  });
});
