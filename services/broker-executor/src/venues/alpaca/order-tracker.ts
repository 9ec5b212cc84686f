/**
 * What has already been reported about each Alpaca order, so that an order's change is
 * reported once whether the stream or a poll sees it first, and a fill is never reported twice.
 *
 * The measure of fills is the order's cumulative filled_qty: a fill is reported only for the
 * quantity beyond what was reported before. Stream events carry Alpaca's execution_id
 * (https://docs.alpaca.markets/docs/websocket-streaming, example message). REST order objects
 * carry none, so a fill first seen by a poll gets an id of our own, "<order id>:<filled_qty>",
 * stable for that state of the order: a replay yields the same id.
 */
import { Decimal } from '@utm/db';
import type { BrokerFill, BrokerOrderUpdate } from '../broker/types';
import { fromAlpacaOrder, isTerminal, type AlpacaOrder } from './mapping';

export interface StreamFill {
  executionId: string | null;
  qty: Decimal | null;
  price: Decimal | null;
  at: Date | null;
}

interface Seen {
  fingerprint: string;
  filled: Decimal;
  avg: Decimal | null;
  terminal: boolean;
  clientOrderId: string;
}

const MAX_ORDERS = 10_000;
const MAX_EXECUTIONS = 10_000;

const fingerprint = (o: AlpacaOrder): string => `${o.status}|${o.filledQty.toFixed()}`;

/** The order and its legs, each one on its own (the stream reports legs as orders too). */
export function flatten(order: AlpacaOrder): AlpacaOrder[] {
  return [order, ...order.legs.flatMap(flatten)];
}

export class OrderTracker {
  private readonly seen = new Map<string, Seen>();
  private readonly executions = new Set<string>();

  /** Records the current state without reporting it (the baseline at start). */
  baseline(order: AlpacaOrder): void {
    for (const o of flatten(order)) this.remember(o);
  }

  /** Orders reported as still open: a poll asks for each that no longer shows up as open. */
  openOrders(): { id: string; clientOrderId: string }[] {
    return [...this.seen.entries()]
      .filter(([, s]) => !s.terminal)
      .map(([id, s]) => ({ id, clientOrderId: s.clientOrderId }));
  }

  /** A trade_updates event: null when it tells nothing new (a replay, or a poll was first). */
  fromStream(order: AlpacaOrder, fill: StreamFill | null, now: Date): BrokerOrderUpdate | null {
    if (fill?.executionId && this.executions.has(fill.executionId)) return null;
    const prev = this.seen.get(order.id);
    const delta = order.filledQty.minus(prev?.filled ?? 0);
    if (isStale(prev, order) || (prev && prev.fingerprint === fingerprint(order) && delta.lte(0))) return null;
    let reported: BrokerFill | null = null;
    if (fill && delta.gt(0)) {
      // The event's own quantity, unless part of it was already reported by a poll.
      const qty = fill.qty !== null && fill.qty.gt(0) ? Decimal.min(fill.qty, delta) : delta;
      reported = {
        id: fill.executionId ?? `${order.id}:${order.filledQty.toFixed()}`,
        quantity: qty,
        price: fill.price ?? this.price(order, prev, delta),
        at: fill.at ?? now,
      };
      if (fill.executionId) this.rememberExecution(fill.executionId);
    } else if (delta.gt(0)) {
      // Another event (canceled, say) shows more filled than reported: a fill event was
      // missed. Reported as a poll would, so that the quantity is not lost.
      reported = {
        id: `${order.id}:${order.filledQty.toFixed()}`,
        quantity: delta,
        price: this.price(order, prev, delta),
        at: now,
      };
    }
    this.remember(order);
    return { order: fromAlpacaOrder(order), fill: reported };
  }

  /** An order read by a poll (legs included): one update per order whose state changed. */
  fromPoll(order: AlpacaOrder, now: Date): BrokerOrderUpdate[] {
    const updates: BrokerOrderUpdate[] = [];
    for (const o of flatten(order)) {
      const prev = this.seen.get(o.id);
      if (isStale(prev, o) || (prev && prev.fingerprint === fingerprint(o))) continue;
      const delta = o.filledQty.minus(prev?.filled ?? 0);
      const fill: BrokerFill | null = delta.gt(0)
        ? {
            id: `${o.id}:${o.filledQty.toFixed()}`,
            quantity: delta,
            price: this.price(o, prev, delta),
            at: parseDate(o.filledAt ?? o.updatedAt) ?? now,
          }
        : null;
      this.remember(o);
      updates.push({ order: fromAlpacaOrder(o), fill });
    }
    return updates;
  }

  /**
   * The price of the quantity filled since `prev`, from the two average prices:
   * (avg·filled − prevAvg·prevFilled) / delta. Without a previous average, the order's average.
   */
  private price(order: AlpacaOrder, prev: Seen | undefined, delta: Decimal): Decimal {
    const avg = order.filledAvgPrice ?? new Decimal(0);
    if (!prev || prev.avg === null || prev.filled.lte(0)) return avg;
    return avg.times(order.filledQty).minus(prev.avg.times(prev.filled)).div(delta);
  }

  private rememberExecution(id: string): void {
    this.executions.add(id);
    if (this.executions.size > MAX_EXECUTIONS) this.executions.delete(this.executions.values().next().value as string);
  }

  private remember(order: AlpacaOrder): void {
    const prev = this.seen.get(order.id);
    // Never move backwards: a stale read (a poll answered before a stream event) keeps the
    // larger filled quantity, so the same quantity is not reported again later.
    const filled = prev && prev.filled.gt(order.filledQty) ? prev.filled : order.filledQty;
    this.seen.delete(order.id);
    this.seen.set(order.id, {
      fingerprint: fingerprint(order),
      filled,
      avg: order.filledAvgPrice ?? prev?.avg ?? null,
      terminal: isFinal(order),
      clientOrderId: order.clientOrderId,
    });
    if (this.seen.size > MAX_ORDERS) this.prune();
  }

  /** Forgets the oldest finished orders first; open ones are kept while they are open. */
  private prune(): void {
    for (const [id, s] of this.seen) {
      if (this.seen.size <= MAX_ORDERS * 0.9) return;
      if (s.terminal) this.seen.delete(id);
    }
  }
}

/**
 * An order read that is older than what was reported (a poll answered just before a stream
 * event, or the other way round): less filled, or open again after being final.
 */
function isStale(prev: Seen | undefined, order: AlpacaOrder): boolean {
  if (!prev) return false;
  return order.filledQty.lt(prev.filled) || (prev.terminal && !isFinal(order));
}

/**
 * No further change will come: our terminal statuses, and Alpaca's "replaced" (the order
 * lives on as its replacement, a different order; we keep it open for reconciliation, but
 * polls need not fetch it again).
 */
function isFinal(order: AlpacaOrder): boolean {
  return order.status === 'replaced' || isTerminal(fromAlpacaOrder(order).status);
}

export function parseDate(value: string | null): Date | null {
  if (value === null) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}
