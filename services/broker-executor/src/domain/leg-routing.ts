import type { ExitRules } from '@utm/contracts';
import type { BrokerCapabilities, BrokerOrderType } from '../brokers/types';
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
 * (onLegFill on every leg fill).
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

function unsupported(role: LegRole, caps: BrokerCapabilities): string | null {
  if (role === 'TRAILING_STOP' && !caps.nativeTrailingStop) return 'the broker has no native trailing stop';
  if (!caps.orderTypes.includes(NEEDS[role])) return `the broker does not take ${NEEDS[role]} orders`;
  return null;
}

export function legsForBroker(caps: BrokerCapabilities, rules: ExitRules | null | undefined): ExitLegsRouting {
  const present: LegRole[] = [];
  if (rules?.stopLoss) present.push('STOP_LOSS');
  if (rules?.takeProfit) present.push('TAKE_PROFIT');
  if (rules?.trailingStop) present.push('TRAILING_STOP');
  const reasons = new Map(present.map((r) => [r, unsupported(r, caps)]));
  const usable = (r: LegRole): boolean => reasons.has(r) && reasons.get(r) === null;

  const pair = usable('STOP_LOSS') && usable('TAKE_PROFIT');
  const absolute = rules?.stopLoss?.type === 'PRICE' && rules?.takeProfit?.type === 'PRICE';
  const bracketWithEntry = pair && caps.nativeBracket && absolute && !rules?.trailingStop;
  const ocoAfterFill = pair && !bracketWithEntry && caps.nativeOco;
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
