import { PaperBatch } from '../../../src/venues/paper/batch';
import type { PaperBook } from '../../../src/venues/paper/book';
import type { ExecOrder } from '../../../src/domain/order';
import { book, CLOCK, row } from './book-helpers';
import { D, NOW } from './helpers';

function run(orders: ExecOrder[], b: PaperBook) {
  const batch = new PaperBatch(b, CLOCK, NOW);
  for (const o of orders) batch.act(o);
  return batch.writes;
}

const types = (w: ReturnType<typeof run>, signalId: string) =>
  w.events.filter((e) => e.signalId === signalId).map((e) => e.type);

describe('PaperBatch: a batch of placements, each seeing the ones before it', () => {
  it('fills a market entry at the quote: order, fill, position, cash and the signal, with their events in order', () => {
    const o = row();
    const w = run([o], book([o]));
    expect(w.orders.get(o.id)).toMatchObject({ status: 'FILLED', brokerOrderId: `paper-${o.id}` });
    expect(w.orders.get(o.id)?.avgFillPrice?.toFixed()).toBe('100');
    expect(w.fills).toEqual([
      { orderId: o.id, brokerFillId: `paper:${o.id}:10`, quantity: D(10), price: D(100), at: NOW },
    ]);
    expect(w.positions.get('A\u0000XYZ')).toMatchObject({
      accountId: 'A',
      symbol: 'XYZ',
      quantity: D(10),
      avgPrice: D(100),
    });
    expect(w.cashDelta.get('A')?.toFixed()).toBe('-1000');
    expect(w.signals.get(o.signalId)).toEqual({ status: 'FILLED', errorCode: null, errorMessage: null });
    expect(types(w, o.signalId)).toEqual(['ORDER_ACCEPTED', 'ORDER_FILLED', 'FILLED']);
    expect(w.milestones.map((m) => m.kind)).toEqual(['accepted', 'filled']);
  });

  it('a second entry of the same account sees the cash the first one spent, and is refused', () => {
    // Sized at 50 by the processor (a quote since risen to 100): it holds 250 until it is placed.
    const first = row({ quantity: D(8) });
    const second = row({ quantity: D(5), priceBasis: D(50) });
    const w = run([first, second], book([first, second], { cash: '1050' }));
    // 1050 − 250 held by the second = 800: just enough.
    expect(w.orders.get(first.id)?.status).toBe('FILLED');
    // 1050 − 800 spent = 250 (its own reservation excluded), 5 × 100 needed.
    expect(w.orders.get(second.id)).toMatchObject({ status: 'REJECTED', errorCode: 'BROKER_ERROR' });
    expect(w.orders.get(second.id)?.errorMessage).toMatch(
      /^Insufficient buying power: BUY 5 at 100 needs 500\.00, 250\.00 available/,
    );
    expect(w.signals.get(second.signalId)?.status).toBe('FAILED');
    expect(w.fills).toHaveLength(1);
  });

  it('a resting limit entry keeps holding its buying power for the orders after it', () => {
    const limit = row({ type: 'LIMIT', limitPrice: D(90), quantity: D(6), priceBasis: D(90) });
    const market = row({ quantity: D(5), priceBasis: D(10) });
    const w = run([limit, market], book([limit, market], { cash: '1000' }));
    expect(w.orders.get(limit.id)?.status).toBe('ACCEPTED');
    expect(w.signals.get(limit.signalId)?.status).toBe('SUBMITTED');
    // 1000 − 6 × 90 held by the resting limit = 460 < 500.
    expect(w.orders.get(market.id)?.status).toBe('REJECTED');
  });

  it('a close is capped at the position the entries before it left, and fills', () => {
    const entry = row({ quantity: D(3) });
    const close = row({ role: 'CLOSE', side: 'SELL', quantity: D(10), priceBasis: null });
    const w = run([entry, close], book([entry, close], { positions: { XYZ: ['2', '100'] } }));
    expect(w.orders.get(close.id)?.quantity.toFixed()).toBe('5');
    expect(w.orders.get(close.id)?.status).toBe('FILLED');
    expect(types(w, close.signalId)).toEqual(['NOTE', 'ORDER_ACCEPTED', 'ORDER_FILLED', 'FILLED']);
    expect(w.positions.get('A\u0000XYZ')?.quantity.toFixed()).toBe('0');
    expect(w.cashDelta.get('A')?.toFixed()).toBe('200'); // −300 + 500
  });

  it('a close with nothing to close is cancelled, its signal CANCELLED', () => {
    const close = row({ role: 'CLOSE', side: 'SELL', priceBasis: null });
    const w = run([close], book([close]));
    expect(w.orders.get(close.id)).toMatchObject({
      status: 'CANCELLED',
      errorCode: 'ORDER_CANCELLED',
      errorMessage: 'nothing left to close',
    });
    expect(w.signals.get(close.signalId)?.status).toBe('CANCELLED');
    expect(w.fills).toHaveLength(0);
  });

  it('cancels what was asked to cancel: a NEW order before placement, a resting one at the paper broker', () => {
    const at = new Date('2026-11-25T14:00:00Z');
    const unsent = row({ cancelRequestedAt: at });
    const resting = row({
      type: 'LIMIT',
      limitPrice: D(90),
      status: 'ACCEPTED',
      cancelRequestedAt: at,
      brokerOrderId: 'paper-x',
    });
    const w = run([unsent, resting], book([unsent, resting]));
    expect(w.orders.get(unsent.id)).toMatchObject({
      status: 'CANCELLED',
      errorMessage: 'cancelled before it was placed',
    });
    expect(w.orders.get(resting.id)).toMatchObject({ status: 'CANCELLED', errorMessage: 'cancelled on request' });
    expect(w.signals.get(unsent.signalId)?.status).toBe('CANCELLED');
    expect(w.signals.get(resting.signalId)?.status).toBe('CANCELLED');
  });

  it('creates the filled entry’s exit legs, resting, priced from the fill', () => {
    const o = row({
      exitRules: { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 4 } },
    });
    const w = run([o], book([o], { quotes: { XYZ: '150' } }));
    expect(
      [...w.legs.values()].map((l) => [
        l.role,
        l.side,
        l.type,
        l.quantity.toFixed(),
        (l.stopPrice ?? l.limitPrice)?.toFixed(),
        l.status,
        l.brokerOrderId === `paper-${l.id}`,
        l.parentOrderId,
      ]),
    ).toEqual([
      ['STOP_LOSS', 'SELL', 'STOP', '10', '147', 'ACCEPTED', true, o.id],
      ['TAKE_PROFIT', 'SELL', 'LIMIT', '10', '156', 'ACCEPTED', true, o.id],
    ]);
    expect(types(w, o.signalId)).toEqual([
      'ORDER_ACCEPTED',
      'ORDER_FILLED',
      'EXIT_LEG_CREATED',
      'EXIT_LEG_CREATED',
      'FILLED',
    ]);
  });

  it('a DAY order gets the session close of the market clock; an IOC that cannot fill is cancelled', () => {
    const day = row({ type: 'LIMIT', limitPrice: D(90), timeInForce: 'DAY' });
    const ioc = row({ type: 'LIMIT', limitPrice: D(90), timeInForce: 'IOC' });
    const w = run([day, ioc], book([day, ioc]));
    expect(w.orders.get(day.id)?.expiresAt?.toISOString()).toBe('2026-11-25T21:00:00.000Z');
    expect(w.orders.get(ioc.id)).toMatchObject({ status: 'CANCELLED', errorCode: 'ORDER_CANCELLED' });
  });

  it('refuses an exit leg that reaches placement unplaced instead of trading it without its siblings', () => {
    const leg = row({ role: 'STOP_LOSS', side: 'SELL', type: 'STOP', stopPrice: D(95), priceBasis: null });
    const w = run([leg], book([leg]));
    expect(w.orders.get(leg.id)).toMatchObject({ status: 'REJECTED', errorCode: 'BROKER_ERROR' });
    expect(w.fills).toHaveLength(0);
  });

  it('the short exposure of positions (at the quote, else their average) counts against buying power', () => {
    const o = row({ quantity: D(1) });
    const b = book([o], { cash: '1000', positions: { ABC: ['-4', '100'] }, quotes: { XYZ: '100', ABC: '110' } });
    // 1000 − 2 × 4 × 110 = 120 ≥ 100: accepted
    expect(run([o], b).orders.get(o.id)?.status).toBe('FILLED');
    const p = row({ quantity: D(2) });
    const c = book([p], { cash: '1000', positions: { ABC: ['-4', '100'] }, quotes: { XYZ: '100', ABC: '110' } });
    expect(run([p], c).orders.get(p.id)?.status).toBe('REJECTED');
  });

  it('an account or signal that is not in the book is a bug, said so', () => {
    const o = row({ accountId: 'B' });
    expect(() => run([o], book([]))).toThrow(/account B of order .* is not in the batch/);
  });
});
