import type { PaperBook } from '../../../src/venues/paper/book';
import type { ExecOrder } from '../../../src/domain/order';
import { execOrder } from '../../domain/helpers';
import { D, NOW } from './helpers';

export const CLOCK = { timeZone: 'America/New_York', close: '16:00' };
let seq = 0n;

/** A NEW market ENTRY BUY 10 GTC of account A for signal s-<n>, unless overridden. */
export function row(overrides: Partial<ExecOrder> = {}): ExecOrder {
  seq += 1n;
  return execOrder({ id: `o-${seq}`, seq, signalId: `s-${seq}`, ...overrides });
}

export interface BookOptions {
  cash?: string;
  positions?: Record<string, [string, string]>;
  quotes?: Record<string, string>;
}

/**
 * The book a batch starts from: account A's cash and positions, quotes, each order's signal
 * (PROCESSING, with its ENTRY/CLOSE orders), and the exit-leg families of the orders given
 * (an entry with its legs), as the book query reads them.
 */
export function book(orders: ExecOrder[], opts: BookOptions = {}): PaperBook {
  const b: PaperBook = {
    accounts: new Map(),
    quotes: new Map(Object.entries(opts.quotes ?? { XYZ: '100' }).map(([s, p]) => [s, D(p)])),
    signals: new Map(),
    families: new Map(),
  };
  b.accounts.set('A', {
    cash: D(opts.cash ?? '100000'),
    positions: new Map(
      Object.entries(opts.positions ?? {}).map(([s, [q, a]]) => [s, { quantity: D(q), avgPrice: D(a) }]),
    ),
    // Every open entry holds its buying power, as the book query reads it.
    reserved: new Map(
      orders
        .filter((o) => o.role === 'ENTRY' && !o.cancelRequestedAt && !['FILLED', 'CANCELLED'].includes(o.status))
        .map((o) => [o.id, o.quantity.minus(o.filledQuantity).times(o.priceBasis ?? 0)]),
    ),
  });
  for (const o of orders) {
    const s = b.signals.get(o.signalId) ?? { status: 'PROCESSING', receivedAt: NOW, orders: new Map() };
    if (o.role === 'ENTRY' || o.role === 'CLOSE')
      s.orders.set(o.id, { status: o.status, filledQuantity: o.filledQuantity, errorCode: null, errorMessage: null });
    b.signals.set(o.signalId, s);
  }
  for (const o of orders) if (o.role === 'ENTRY' && o.exitRules) b.families.set(o.id, { entry: o, legs: [] });
  for (const o of orders) if (o.parentOrderId) b.families.get(o.parentOrderId)?.legs.push(o);
  return b;
}
