import type { Decimal } from '@utm/db';
import type { BrokerSide } from '../broker/types';
import { betterReference, tighterStop, trailingStopPrice, trailProblem, type Trail } from '../../domain/trailing-stop';
import type { MatchOutcome, PaperOrder, RestingChanges } from './types';

/**
 * The paper engine's matching rules, pure: the executor reads the order and the latest quote,
 * calls onArrival when it places an order and onQuote for each resting order of a symbol
 * whose quote changed (in time priority), and writes the outcome.
 *
 * Paper liquidity is infinite, so an order that can trade trades its whole remaining quantity,
 * and IOC and FOK behave alike: all now, or cancelled. Every fill is at the quote: a limit
 * order that becomes marketable gets the quote, which is its limit or better; a stop
 * (triggered) is a market order, so a quote that gaps through the stop fills at the gapped
 * quote, not at the stop. Quotes are last prices, without a spread: buys and sells see the same.
 */

const p = (d: Decimal): string => d.toFixed();

/** The prices an order's type needs, checked once so that the rules below can rely on them. */
type Terms =
  | { type: 'MARKET' }
  | { type: 'LIMIT'; limit: Decimal }
  | { type: 'STOP'; stop: Decimal }
  | { type: 'STOP_LIMIT'; stop: Decimal; limit: Decimal }
  | { type: 'TRAILING_STOP'; trail: Trail };

function price(order: PaperOrder, name: 'limit price' | 'stop price'): Decimal | string {
  const value = name === 'limit price' ? order.limitPrice : order.stopPrice;
  if (value === null) return `${order.type} order without a ${name}`;
  if (value.lte(0)) return `${order.type} order's ${name} must be positive (got ${p(value)})`;
  return value;
}

function termsOf(order: PaperOrder): Terms | string {
  if (order.remaining.lte(0)) return `nothing left to fill (remaining ${p(order.remaining)})`;
  switch (order.type) {
    case 'MARKET':
      return { type: 'MARKET' };
    case 'LIMIT': {
      const limit = price(order, 'limit price');
      return typeof limit === 'string' ? limit : { type: 'LIMIT', limit };
    }
    case 'STOP': {
      const stop = price(order, 'stop price');
      return typeof stop === 'string' ? stop : { type: 'STOP', stop };
    }
    case 'STOP_LIMIT': {
      const stop = price(order, 'stop price');
      const limit = price(order, 'limit price');
      if (typeof stop === 'string') return stop;
      return typeof limit === 'string' ? limit : { type: 'STOP_LIMIT', stop, limit };
    }
    case 'TRAILING_STOP': {
      const trail = { percent: order.trailPercent, amount: order.trailAmount };
      return trailProblem(trail) ?? { type: 'TRAILING_STOP', trail };
    }
  }
}

/** A BUY stop triggers when the price rises to it, a SELL stop when it falls to it. */
export function stopReached(side: BrokerSide, quote: Decimal, stop: Decimal): boolean {
  return side === 'BUY' ? quote.gte(stop) : quote.lte(stop);
}

/** A BUY limit is marketable at or below its limit, a SELL limit at or above. */
export function limitReached(side: BrokerSide, quote: Decimal, limit: Decimal): boolean {
  return side === 'BUY' ? quote.lte(limit) : quote.gte(limit);
}

function fill(order: PaperOrder, quote: Decimal, reason: string): MatchOutcome {
  return { kind: 'FILL', price: quote, quantity: order.remaining, reason };
}

function rest(reason: string, changes: RestingChanges = {}): MatchOutcome {
  return { kind: 'REST', changes, reason };
}

function stopLimit(order: PaperOrder, stop: Decimal, limit: Decimal, quote: Decimal): MatchOutcome {
  const triggeredNow = !order.triggered && stopReached(order.side, quote, stop);
  if (!order.triggered && !triggeredNow) return rest(`quote ${p(quote)} has not reached the stop ${p(stop)}`);
  // Once triggered it stays a limit order even if the price goes back through the stop.
  const trigger = triggeredNow ? `stop ${p(stop)} triggered by the quote ${p(quote)}; ` : '';
  if (limitReached(order.side, quote, limit))
    return fill(order, quote, `${trigger}limit ${p(limit)} reached: filled at the quote ${p(quote)}`);
  return rest(
    `${trigger}quote ${p(quote)} has not reached the limit ${p(limit)}`,
    triggeredNow ? { triggered: true } : {},
  );
}

/**
 * A trailing stop is checked against the stop standing when the quote arrives (a quote that
 * gaps through it fills at the quote); otherwise the reference follows the quote when it moves
 * in the position's favour and the stop follows the reference, never moving back.
 */
function trailing(order: PaperOrder, trail: Trail, quote: Decimal): MatchOutcome {
  const reference = order.trailReference ?? quote;
  const stop = order.stopPrice ?? trailingStopPrice(order.side, reference, trail);
  if (stopReached(order.side, quote, stop)) {
    return fill(
      order,
      quote,
      `trailing stop ${p(stop)} (reference ${p(reference)}) triggered by the quote ${p(quote)}: filled at market`,
    );
  }
  const best = betterReference(order.side, reference, quote);
  const next = tighterStop(order.side, stop, trailingStopPrice(order.side, best, trail));
  const changes: RestingChanges = {};
  if (order.trailReference === null || !best.eq(order.trailReference)) changes.trailReference = best;
  if (order.stopPrice === null || !next.eq(order.stopPrice)) changes.stopPrice = next;
  const reason = changes.stopPrice
    ? `trailing stop moved to ${p(next)} (reference ${p(best)})`
    : `quote ${p(quote)} has not reached the trailing stop ${p(stop)}`;
  return rest(reason, changes);
}

function evaluate(order: PaperOrder, terms: Terms, quote: Decimal): MatchOutcome {
  switch (terms.type) {
    case 'MARKET':
      return fill(order, quote, `market order filled at the quote ${p(quote)}`);
    case 'LIMIT':
      return limitReached(order.side, quote, terms.limit)
        ? fill(order, quote, `limit ${p(terms.limit)} reached: filled at the quote ${p(quote)}`)
        : rest(`quote ${p(quote)} has not reached the limit ${p(terms.limit)}`);
    case 'STOP':
      return stopReached(order.side, quote, terms.stop)
        ? fill(order, quote, `stop ${p(terms.stop)} triggered by the quote ${p(quote)}: filled at market`)
        : rest(`quote ${p(quote)} has not reached the stop ${p(terms.stop)}`);
    case 'STOP_LIMIT':
      return stopLimit(order, terms.stop, terms.limit, quote);
    case 'TRAILING_STOP':
      return trailing(order, terms.trail, quote);
  }
}

/**
 * A DAY order expires once `now` reaches its session close (at the close exactly: the session
 * is over). The executor also calls this from a timer, so that orders of a symbol without
 * quotes expire too. Null: not due.
 */
export function expireIfDue(order: Pick<PaperOrder, 'expiresAt'>, now: Date): MatchOutcome | null {
  if (order.expiresAt === null || now.getTime() < order.expiresAt.getTime()) return null;
  return { kind: 'EXPIRE', reason: `DAY order expired at the session close ${order.expiresAt.toISOString()}` };
}

/**
 * Placing an order. Without a quote nothing can trade: every order rests until the first
 * quote (a MARKET DAY/GTC order included, it fills at that quote), except IOC/FOK, which never
 * rest and are cancelled. A trailing stop that arrives with its reference (the entry's average
 * fill price) gets its stop at once, so the row shows it before any quote.
 */
export function onArrival(order: PaperOrder, quote: Decimal | null, now: Date): MatchOutcome {
  const terms = termsOf(order);
  if (typeof terms === 'string') return { kind: 'REJECT', reason: terms };
  const expired = expireIfDue(order, now);
  if (expired) return expired;
  let outcome: MatchOutcome;
  if (quote !== null && quote.gt(0)) {
    outcome = evaluate(order, terms, quote);
  } else {
    const initial: RestingChanges = {};
    if (terms.type === 'TRAILING_STOP' && order.trailReference !== null && order.stopPrice === null) {
      initial.stopPrice = trailingStopPrice(order.side, order.trailReference, terms.trail);
    }
    outcome = rest('no quote for the symbol yet', initial);
  }
  if (outcome.kind === 'REST' && (order.timeInForce === 'IOC' || order.timeInForce === 'FOK')) {
    return { kind: 'CANCEL', reason: `${order.timeInForce} order not marketable on arrival: ${outcome.reason}` };
  }
  return outcome;
}

/**
 * A new quote for a resting order's symbol. Expiry comes first: a quote after the close must
 * not fill a DAY order that should have expired. A quote that is not a positive price changes
 * nothing (it cannot be a fill price).
 */
export function onQuote(order: PaperOrder, quote: Decimal, now: Date): MatchOutcome {
  const terms = termsOf(order);
  if (typeof terms === 'string') return { kind: 'REJECT', reason: terms };
  const expired = expireIfDue(order, now);
  if (expired) return expired;
  if (quote.lte(0)) return rest(`quote ${p(quote)} is not a usable price`);
  return evaluate(order, terms, quote);
}

/**
 * Resting orders in time priority: accepted first, evaluated first (orders.seq; the id only
 * breaks ties, which seq never has, so that the order is total). With infinite liquidity the
 * priority decides which of two exit legs of one position fills when one quote triggers both
 * (the other is then cancelled as one-cancels-other) and who gets the cash first: the caller
 * applies each outcome before evaluating the next order.
 */
export function sortByTimePriority<T extends { seq: bigint; id: string }>(orders: readonly T[]): T[] {
  return [...orders].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// The module the executor imports: the order shapes and the acceptance check come along.
export type { MatchOutcome, PaperOrder, RestingChanges } from './types';
export { affordable, openingQuantity, priceToPay, type Affordability, type AffordabilityInput } from './buying-power';
