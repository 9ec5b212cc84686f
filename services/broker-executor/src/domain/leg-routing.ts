import type { ExitRules } from '@utm/contracts';
import type { BrokerCapabilities, BrokerOrderType, ExitTerms } from '../venues/broker/types';
import type { LegRole } from './exit-leg-types';

/**
 * How an entry's exit legs are placed at a given broker.
 *
 * - BRACKET: the entry is placed with `bracket` (take profit + stop loss); the broker creates
 *   the legs when the entry fills and makes them one-cancels-other. Only when both rules are
 *   PRICE rules and there is no trailing stop: a bracket's prices are fixed before the fill,
 *   and the platform prices the legs from the average fill price, which only absolute levels do not
 *   depend on. (A trailing stop next to a bracket would be a second group, see below.)
 * - OCO: after each entry fill, take profit + stop loss as one native OCO order for the
 *   position, priced from the average fill price (when the entry fills further, cancelled and
 *   placed again for the position: Alpaca replaces only an OCO leg's prices, see leg-resize.ts).
 * - ORDER: a separate order placed by the executor after the fill (planExitLegs).
 * - UNSUPPORTED: the broker cannot carry it (reason says why); the other legs still go.
 *
 * The trailing stop is always an ORDER of its own (a native TRAILING_STOP, which the broker
 * moves), since no broker combines it with a bracket or an OCO. Whenever the legs end up in
 * more than one broker-side group, the executor is the one-cancels-other between the groups
 * (onLegFill on every leg fill) — except at a broker where a working closing order holds its
 * shares (oneClosingOrderPerShare, Alpaca): there a second group for the same shares would be
 * refused, so only one group is placed and the rest is UNSUPPORTED, the stop loss kept first.
 * (The processor refuses such combinations before the entry is placed; this is the last guard.)
 * `terms`: how the broker holds this instrument's exits (Alpaca crypto: no OCO, no trailing stop).
 */
export type LegVia = 'BRACKET' | 'OCO' | 'ORDER' | 'UNSUPPORTED';

export interface LegPlacement {
  role: LegRole;
  via: LegVia;
  /** UNSUPPORTED: why. */
  reason: string | null;
}

export interface ExitLegsRouting {
  /** Place the entry with `bracket` (prices from planExitLegs at the entry's sizing price). */
  bracketWithEntry: boolean;
  /** After each entry fill, place take profit + stop loss as one `oco` order. */
  ocoAfterFill: boolean;
  /** One per rule present, in the order stop loss, take profit, trailing stop. */
  legs: LegPlacement[];
  /** The legs span more than one broker order group: the executor cancels and resizes across them. */
  executorOneCancelsOther: boolean;
}

const NEEDS: Record<LegRole, BrokerOrderType> = {
  STOP_LOSS: 'STOP',
  TAKE_PROFIT: 'LIMIT',
  TRAILING_STOP: 'TRAILING_STOP',
};

function unsupported(role: LegRole, caps: BrokerCapabilities, terms: ExitTerms | undefined): string | null {
  if (role === 'TRAILING_STOP' && (!caps.nativeTrailingStop || terms?.trailing === false))
    return 'the broker has no native trailing stop for this instrument';
  const needs = role === 'STOP_LOSS' && terms?.stopType === 'STOP_LIMIT' ? 'STOP_LIMIT' : NEEDS[role];
  if (!caps.orderTypes.includes(needs)) return `the broker does not take ${needs} orders`;
  return null;
}

const ONE_CLOSING = 'the broker holds one closing order per share, and this exit would be a second one';

export function legsForBroker(
  caps: BrokerCapabilities,
  rules: ExitRules | null | undefined,
  terms?: ExitTerms,
): ExitLegsRouting {
  const present: LegRole[] = [];
  if (rules?.stopLoss) present.push('STOP_LOSS');
  if (rules?.takeProfit) present.push('TAKE_PROFIT');
  if (rules?.trailingStop) present.push('TRAILING_STOP');
  const reasons = new Map(present.map((r) => [r, unsupported(r, caps, terms)]));
  const usable = (r: LegRole): boolean => reasons.has(r) && reasons.get(r) === null;

  const nativeOco = caps.nativeOco && terms?.oco !== false;
  const pair = usable('STOP_LOSS') && usable('TAKE_PROFIT');
  if (caps.oneClosingOrderPerShare) {
    // One group for the shares: the OCO pair (or the stop loss alone), else the one rule usable.
    const group: LegRole[] = pair && nativeOco ? ['STOP_LOSS', 'TAKE_PROFIT'] : [];
    const first = present.find(usable);
    if (!group.length && first) group.push(first);
    for (const r of present) if (usable(r) && !group.includes(r)) reasons.set(r, ONE_CLOSING);
  }
  const absolute = rules?.stopLoss?.type === 'PRICE' && rules?.takeProfit?.type === 'PRICE';
  const bracketWithEntry = pair && caps.nativeBracket && absolute && !rules?.trailingStop && usable('TAKE_PROFIT');
  const ocoAfterFill = pair && usable('TAKE_PROFIT') && !bracketWithEntry && nativeOco;
  const pairVia: LegVia = bracketWithEntry ? 'BRACKET' : ocoAfterFill ? 'OCO' : 'ORDER';

  const legs = present.map((role): LegPlacement => {
    const reason = reasons.get(role) ?? null;
    if (reason) return { role, via: 'UNSUPPORTED', reason };
    return { role, via: role === 'TRAILING_STOP' ? 'ORDER' : pairVia, reason: null };
  });
  // A bracket or an OCO is one group; every separate ORDER is a group of its own.
  const groups = (bracketWithEntry || ocoAfterFill ? 1 : 0) + legs.filter((l) => l.via === 'ORDER').length;
  return { bracketWithEntry, ocoAfterFill, legs, executorOneCancelsOther: groups > 1 };
}
