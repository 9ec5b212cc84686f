import { Decimal } from '@utm/db';
import type { MatchOutcome, PaperOrder } from '../../../src/venues/paper/matching';

/** Decimals from strings (or integers): never from floats with binary noise. */
export const D = (value: string | number): Decimal => new Decimal(value);

export const NOW = new Date('2026-11-25T15:00:00.000Z');

/** A resting-ready order: BUY 10 MARKET DAY, no prices, not triggered, no expiry, unless overridden. */
export function order(overrides: Partial<PaperOrder> = {}): PaperOrder {
  return {
    id: 'o-1',
    seq: 1n,
    side: 'BUY',
    type: 'MARKET',
    remaining: D(10),
    limitPrice: null,
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    trailReference: null,
    triggered: false,
    timeInForce: 'DAY',
    expiresAt: null,
    ...overrides,
  };
}

/** The outcome as plain strings, so that tables compare decimals by value. */
export function show(outcome: MatchOutcome): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = { kind: outcome.kind };
  if (outcome.kind === 'FILL') {
    out.price = outcome.price.toFixed();
    out.quantity = outcome.quantity.toFixed();
  }
  if (outcome.kind === 'REST') {
    const { triggered, stopPrice, trailReference } = outcome.changes;
    if (triggered) out.triggered = true;
    if (stopPrice) out.stopPrice = stopPrice.toFixed();
    if (trailReference) out.trailReference = trailReference.toFixed();
  }
  return out;
}

/** Writes a REST outcome's changes back, as the executor does with the row. */
export function apply(o: PaperOrder, outcome: MatchOutcome): PaperOrder {
  if (outcome.kind !== 'REST') return o;
  return { ...o, ...outcome.changes };
}
