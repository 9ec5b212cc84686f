import { Decimal } from '@utm/db';
import { defaultTickSize, roundToTickAt, type Tick } from '@utm/trading';
import type { BrokerSide } from '../venues/broker/types';

/**
 * A trailing stop's arithmetic, shared by the exit legs (domain) and the paper engine, so that
 * the stop the executor writes when the entry fills and the stop the paper engine moves later
 * are computed the same way.
 *
 * `side` is the trailing stop's own side: a SELL trailing stop protects a long (its reference
 * is the highest price seen, the stop sits below it), a BUY one protects a short (mirrored).
 */
export interface Trail {
  /** One of the two is set (the ingest schema's PERCENT or AMOUNT). */
  percent: Decimal | null;
  amount: Decimal | null;
}

/**
 * The stop for a reference price, rounded to the tick away from the money (a SELL stop down,
 * a BUY stop up) so it is never tighter than asked. The tick defaults to the one of the
 * reference price: with the average fill price as the reference this is exactly the
 * `initialStop` that `exitPrices` computes, so the stop does not jump at the first quote.
 * A stop at or below zero (an amount larger than the price) is returned as is: it cannot
 * trigger until the reference has risen enough.
 */
export function trailingStopPrice(side: BrokerSide, reference: Decimal, trail: Trail, tickSize?: Tick): Decimal {
  const offset = trail.percent ? reference.times(trail.percent).div(100) : (trail.amount ?? new Decimal(0));
  const raw = side === 'SELL' ? reference.minus(offset) : reference.plus(offset);
  return roundToTickAt(raw, tickSize ?? defaultTickSize(reference), side === 'SELL' ? 'down' : 'up');
}

/** The better of two reference prices for the position: the higher for a long (SELL stop), the lower for a short. */
export function betterReference(side: BrokerSide, a: Decimal, b: Decimal): Decimal {
  return side === 'SELL' ? Decimal.max(a, b) : Decimal.min(a, b);
}

/** The tighter of two stops (closer to the price): a trailing stop only ever moves in the position's favour. */
export function tighterStop(side: BrokerSide, a: Decimal, b: Decimal): Decimal {
  return side === 'SELL' ? Decimal.max(a, b) : Decimal.min(a, b);
}

/** Why a trail cannot work, or null: exactly one of percent and amount, positive, a percent below 100. */
export function trailProblem(trail: Trail): string | null {
  if ((trail.percent === null) === (trail.amount === null))
    return 'a trailing stop needs exactly one of trail percent and trail amount';
  if (trail.percent && (trail.percent.lte(0) || trail.percent.gte(100)))
    return `trail percent must be above 0 and below 100 (got ${trail.percent.toFixed()})`;
  if (trail.amount && trail.amount.lte(0)) return `trail amount must be positive (got ${trail.amount.toFixed()})`;
  return null;
}
