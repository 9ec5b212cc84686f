import type { ExitRules } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { defaultTickSize, exitPrices, stopLimitPrice, type ExitPricesResult, type Tick } from '@utm/trading';
import type { BrokerSide } from '../venues/broker/types';
import {
  isOpenLeg,
  LEG_ROLES,
  positionLeft,
  supersededIds,
  type ExitLeg,
  type ExitLegDraft,
  type LegAmendment,
  type LegRole,
} from './exit-leg-types';
import { betterReference, tighterStop, trailingStopPrice } from './trailing-stop';

/**
 * The exit legs of an entry (docs/contract.md, "Lifecycles"): created when the entry fills, sized to the
 * filled quantity, priced from the average fill price by the processor's own `exitPrices`,
 * one-cancels-other. Pure: the executor passes the rows and writes what comes back.
 */

// The module the executor imports: leg shapes, one-cancels-other and routing come along.
export * from './exit-leg-types';
export { onLegFill, type LegFillResult } from './leg-fills';
export { legsForBroker, type ExitLegsRouting, type LegPlacement, type LegVia } from './leg-routing';

export interface EntryFill {
  entrySide: BrokerSide;
  /** Cumulative filled quantity of the entry. */
  filledQuantity: Decimal;
  avgFillPrice: Decimal;
  exitRules: ExitRules | null | undefined;
  /** The instrument's tick (fixed, or by price); default: defaultTickSize of the fill price, as the processor validates. */
  tickSize?: Tick;
  /** What a stop loss is sent as: STOP (default), or STOP_LIMIT where the venue takes no stop. */
  stopType?: 'STOP' | 'STOP_LIMIT';
}

/**
 * `legs` are those whose prices hold. A rule whose price does not hold at the actual fill
 * (e.g. a PRICE take profit of a long that the fill gapped through) is refused with
 * exitPrices' sentence, and the other legs are still placed: a position must not lose its
 * stop loss because its target became meaningless.
 */
export type ExitLegPlan = { ok: true; legs: ExitLegDraft[] } | { ok: false; message: string; legs: ExitLegDraft[] };

const opposite = (side: BrokerSide): BrokerSide => (side === 'BUY' ? 'SELL' : 'BUY');

/** exitPrices for one rule alone, so that one rule's refusal does not take the others with it. */
function pricesFor(
  role: LegRole,
  rules: ExitRules,
  side: BrokerSide,
  fill: Decimal,
  tick: Tick,
): ExitPricesResult | null {
  switch (role) {
    case 'STOP_LOSS':
      return rules.stopLoss ? exitPrices({ stopLoss: rules.stopLoss }, side, fill, tick) : null;
    case 'TAKE_PROFIT':
      return rules.takeProfit ? exitPrices({ takeProfit: rules.takeProfit }, side, fill, tick) : null;
    case 'TRAILING_STOP':
      return rules.trailingStop ? exitPrices({ trailingStop: rules.trailingStop }, side, fill, tick) : null;
  }
}

function draft(
  role: LegRole,
  entry: EntryFill,
  result: Extract<ExitPricesResult, { ok: true }>,
  tick: Tick,
): ExitLegDraft {
  const base = {
    role,
    side: opposite(entry.entrySide),
    quantity: entry.filledQuantity,
    limitPrice: null,
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    trailReference: null,
    timeInForce: 'GTC' as const,
  };
  const { stopLoss, takeProfit, trailingStop } = result.prices;
  if (role === 'STOP_LOSS' && stopLoss && entry.stopType === 'STOP_LIMIT') {
    const at = typeof tick === 'function' ? tick : () => tick;
    return { ...base, type: 'STOP_LIMIT', stopPrice: stopLoss, limitPrice: stopLimitPrice(base.side, stopLoss, at) };
  }
  if (role === 'STOP_LOSS' && stopLoss) return { ...base, type: 'STOP', stopPrice: stopLoss };
  if (role === 'TAKE_PROFIT' && takeProfit) return { ...base, type: 'LIMIT', limitPrice: takeProfit };
  if (role === 'TRAILING_STOP' && trailingStop) {
    const { trailPercent, trailAmount, initialStop } = trailingStop;
    return {
      ...base,
      type: 'TRAILING_STOP',
      stopPrice: initialStop,
      trailPercent,
      trailAmount,
      trailReference: entry.avgFillPrice,
    };
  }
  throw new Error(`exitPrices returned no ${role} price`);
}

/** The legs for an entry's (cumulative) fill. Nothing filled or no rules: no legs. */
export function planExitLegs(entry: EntryFill): ExitLegPlan {
  const rules = entry.exitRules;
  if (!rules || entry.filledQuantity.lte(0)) return { ok: true, legs: [] };
  const tick = entry.tickSize ?? defaultTickSize(entry.avgFillPrice);
  const legs: ExitLegDraft[] = [];
  const problems: string[] = [];
  for (const role of LEG_ROLES) {
    const result = pricesFor(role, rules, entry.entrySide, entry.avgFillPrice, tick);
    if (!result) continue;
    if (result.ok) legs.push(draft(role, entry, result, tick));
    else problems.push(result.message);
  }
  return problems.length ? { ok: false, message: problems.join('; '), legs } : { ok: true, legs };
}

export interface EntryFillResize {
  amend: LegAmendment[];
  /** Legs for rules that had none yet (refused at an earlier fill, valid at the new average). */
  create: ExitLegDraft[];
  /** Why a rule still cannot be priced (its leg keeps its price), or why nothing was done. */
  message: string | null;
}

/**
 * The entry filled further. Each working leg's remaining quantity becomes the position left
 * (its quantity: what it already filled + that). Prices are recomputed from the NEW average
 * fill price: the rules are relative to "the" entry price, which is now the average (a 2 %
 * stop stays 2 % below what the position cost). Exceptions: a trailing stop keeps the better
 * of its reference and the new average, and its stop never loosens (it follows the best
 * price since entry, and a trailing stop only moves in the position's favour); a rule that
 * no longer prices at the new average keeps its leg's current price (message says why).
 * Once a leg has filled completely the one-cancels-other group is over: nothing is resized.
 * A leg being replaced at its broker is not amended: its replacement is (supersededIds).
 */
export function resizeLegsForEntryFill(legs: readonly ExitLeg[], entry: EntryFill): EntryFillResize {
  const done = legs.find((l) => l.status === 'FILLED');
  if (done)
    return {
      amend: [],
      create: [],
      message: `exit leg ${done.id} (${done.role}) has already filled: the exits are over`,
    };
  const left = positionLeft(legs, entry.filledQuantity);
  const plan = planExitLegs({ ...entry, filledQuantity: Decimal.max(left, 0) });
  const priced = new Map(plan.legs.map((d) => [d.role, d]));
  const amend: LegAmendment[] = [];
  const superseded = supersededIds(legs);
  for (const leg of legs.filter((l) => isOpenLeg(l) && !superseded.has(l.id))) {
    const a = amendment(leg, entry, priced.get(leg.role), leg.filledQuantity.plus(Decimal.max(left, 0)));
    if (Object.keys(a).length > 1) amend.push(a);
  }
  const create = left.gt(0) ? plan.legs.filter((d) => !legs.some((l) => l.role === d.role)) : [];
  return { amend, create, message: plan.ok ? null : plan.message };
}

function amendment(leg: ExitLeg, entry: EntryFill, priced: ExitLegDraft | undefined, quantity: Decimal): LegAmendment {
  const a: LegAmendment = { id: leg.id };
  if (!quantity.eq(leg.quantity)) a.quantity = quantity;
  if (!priced) return a;
  const changed = (next: Decimal | null, current: Decimal | null): next is Decimal =>
    next !== null && (current === null || !next.eq(current));
  if (leg.role === 'TRAILING_STOP') {
    const side = opposite(entry.entrySide);
    const reference = leg.trailReference
      ? betterReference(side, leg.trailReference, entry.avgFillPrice)
      : entry.avgFillPrice;
    const trail = { percent: priced.trailPercent, amount: priced.trailAmount };
    const computed = trailingStopPrice(side, reference, trail, entry.tickSize);
    const stop = leg.stopPrice ? tighterStop(side, leg.stopPrice, computed) : computed;
    if (changed(reference, leg.trailReference)) a.trailReference = reference;
    if (changed(stop, leg.stopPrice)) a.stopPrice = stop;
  } else if (changed(priced.stopPrice, leg.stopPrice)) {
    a.stopPrice = priced.stopPrice;
  } else if (changed(priced.limitPrice, leg.limitPrice)) {
    a.limitPrice = priced.limitPrice;
  }
  return a;
}
