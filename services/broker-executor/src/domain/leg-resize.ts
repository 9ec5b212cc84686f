import type { Decimal } from '@utm/db';
import type { BrokerOrderType, ReplaceCapabilities } from '../venues/broker/types';
import { isOpenLeg, priceText, type ExitLeg, type LegAmendment } from './exit-leg-types';

/**
 * How one exit leg takes a new size (or price), wherever it works. Pure: the executor passes
 * the entry's legs and writes what comes back.
 *
 * - IN_PLACE: the row is changed and nothing is sent: the paper engine (its book is ours), a
 *   leg not sent yet, a change the broker does not hold (a trailing stop's reference, which
 *   a native trailing stop follows by itself), or one the broker makes itself (a native OCO's
 *   stop loss after its take profit filled in part).
 * - AMEND: a new row replaces the leg through the broker's replace request (one request, the
 *   broker swaps the orders: never two working at once).
 * - CANCEL_FIRST: a new row, placed only once the leg's cancel is final (the broker cannot
 *   replace this one: an OCO pair's quantity, a fractional quantity, a leg that filled in part).
 * - DEFER: the leg's placement is in flight; it is resized once the broker has answered.
 * - KEEP: not now, and `reason` says why (an earlier replace was refused, the OCO is executing).
 * - SKIP: a cancel was asked for; the leg is going away.
 */
export type ResizeMethod = 'IN_PLACE' | 'AMEND' | 'CANCEL_FIRST' | 'DEFER' | 'KEEP' | 'SKIP';

export interface ResizeDecision {
  method: ResizeMethod;
  reason: string;
}

export interface ResizableLeg extends ExitLeg {
  type: BrokerOrderType;
  /** A native OCO's stop loss: carried by the take-profit row (domain/fill.ts creates them). */
  carriedBy: string | null;
  cancelRequested: boolean;
}

export interface ResizeVenue {
  /** The broker's name; null for the paper engine. */
  broker: string | null;
  /** Its replace request, if it has one. */
  replace: ReplaceCapabilities | null;
}

const holdsLimit = (t: BrokerOrderType) => t === 'LIMIT' || t === 'STOP_LIMIT';
const holdsStop = (t: BrokerOrderType) => t === 'STOP' || t === 'STOP_LIMIT';

/** The open members of the leg's native OCO at the broker (its carrier and carried legs), or []. */
export function nativeGroup<L extends Pick<ResizableLeg, 'id' | 'status' | 'carriedBy'>>(
  legs: readonly L[],
  leg: L,
): L[] {
  const carrier = leg.carriedBy ?? leg.id;
  const group = legs.filter((l) => isOpenLeg(l) && (l.id === carrier || l.carriedBy === carrier));
  return group.length > 1 ? group : [];
}

/** Whether the change touches what the broker holds of the order (its quantity, its limit or stop). */
export function changesAtBroker(leg: Pick<ResizableLeg, 'type'>, change: LegAmendment): boolean {
  return (
    change.quantity !== undefined ||
    (change.limitPrice !== undefined && holdsLimit(leg.type)) ||
    (change.stopPrice !== undefined && holdsStop(leg.type))
  );
}

export function resizeMethod(
  legs: readonly ResizableLeg[],
  leg: ResizableLeg,
  change: LegAmendment,
  venue: ResizeVenue,
  filledLegId: string | null = null,
): ResizeDecision {
  const at = venue.broker ?? 'the paper broker';
  const working = leg.quantity.minus(leg.filledQuantity).toFixed();
  if (leg.cancelRequested) return { method: 'SKIP', reason: 'a cancel was asked for' };
  if (venue.broker === null) return { method: 'IN_PLACE', reason: 'on the paper engine' };
  if (leg.status === 'NEW') return { method: 'IN_PLACE', reason: 'not sent yet' };
  const group = nativeGroup(legs, leg);
  const filled = filledLegId === null ? undefined : group.find((l) => l.id === filledLegId);
  if (filled && filled.carriedBy === null && leg.carriedBy === filled.id && venue.replace?.ocoStopFollowsTarget) {
    return {
      method: 'IN_PLACE',
      reason: `${at} adjusts the stop loss of its OCO order to what the take profit has left`,
    };
  }
  if (filled || group.some((l) => l.carriedBy !== null && l.filledQuantity.gt(0))) {
    return {
      method: 'KEEP',
      reason: `its OCO order at ${at} is executing; ${at} cancels the rest of it when it completes`,
    };
  }
  if (leg.status === 'SUBMITTING') return { method: 'DEFER', reason: `resized once ${at} has answered for it` };
  if (!changesAtBroker(leg, change)) return { method: 'IN_PLACE', reason: `${at} holds nothing that changes` };
  if (legs.some((r) => r.replaces === leg.id && r.status === 'REJECTED')) {
    return { method: 'KEEP', reason: `${at} refused to resize it before; it keeps working with ${working}` };
  }
  const cancelFirst = (why: string): ResizeDecision => ({ method: 'CANCEL_FIRST', reason: why });
  const caps = venue.replace;
  if (!caps) return cancelFirst(`${at} cannot replace an order`);
  if (group.length && !caps.advancedLegQuantity)
    return cancelFirst(`${at} cannot change the quantity of an OCO order's legs`);
  if (leg.filledQuantity.gt(0))
    return cancelFirst('it has filled in part, and what a replacement would mean for that part is not documented');
  const quantity = change.quantity ?? leg.quantity;
  if (caps.quantity === 'whole' && !(quantity.isInteger() && leg.quantity.isInteger()))
    return cancelFirst(`${at} replaces whole quantities only`);
  return { method: 'AMEND', reason: `${at}'s replace request` };
}

/** What a replace request sends: the fields the broker holds that differ; null: unchanged. */
export function amendFields(
  old: { type: BrokerOrderType; quantity: Decimal; limitPrice: Decimal | null; stopPrice: Decimal | null },
  next: { quantity: Decimal; limitPrice: Decimal | null; stopPrice: Decimal | null },
): { quantity: Decimal | null; limitPrice: Decimal | null; stopPrice: Decimal | null } {
  const differs = (a: Decimal | null, b: Decimal | null): a is Decimal => a !== null && (b === null || !a.eq(b));
  return {
    quantity: next.quantity.eq(old.quantity) ? null : next.quantity,
    limitPrice: holdsLimit(old.type) && differs(next.limitPrice, old.limitPrice) ? next.limitPrice : null,
    stopPrice: holdsStop(old.type) && differs(next.stopPrice, old.stopPrice) ? next.stopPrice : null,
  };
}

/** The event of a leg resized where it is (IN_PLACE): "STOP_LOSS 4 → 10, stop 95 (why)". */
export function resizedInPlaceMessage(
  leg: Pick<ResizableLeg, 'role' | 'type' | 'quantity' | 'limitPrice' | 'stopPrice' | 'trailPercent' | 'trailAmount'>,
  a: LegAmendment,
  why: string,
): string {
  const price =
    a.limitPrice || a.stopPrice
      ? `, ${priceText({ ...leg, limitPrice: a.limitPrice ?? leg.limitPrice, stopPrice: a.stopPrice ?? leg.stopPrice })}`
      : '';
  return `${leg.role} ${leg.quantity.toFixed()} → ${(a.quantity ?? leg.quantity).toFixed()}${price} (${why})`;
}
