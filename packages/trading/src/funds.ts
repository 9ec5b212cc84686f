import { Decimal } from '@utm/db';

/**
 * An account's value and what it may still commit: one definition for the gateway (the equity
 * it shows), the processor (sizing by equity, its buying-power rule) and the executor (the paper
 * broker's acceptance check).
 *
 * - Mark price: the latest quote, else the position's average entry price.
 * - Equity = cash + Σ quantity × mark. Shorts are negative quantities: their sale proceeds are
 *   in cash and their value is a liability.
 * - Reservation of an open entry order = its remaining quantity × the price it was sized at
 *   (its price basis): the buying power it holds until it fills or ends.
 * - Buying power = cash − reservations − 2 × Σ |short quantity| × mark. A short locks its
 *   proceeds (they are in cash) and as much again as collateral (100 % margin), so that opening
 *   a short uses its notional of buying power exactly as opening a long does. Orders that only
 *   reduce a position need none (the callers decide which part of an order opens).
 */
export interface MarkedPosition {
  /** Signed: negative is short. */
  quantity: Decimal;
  mark: Decimal;
}

export interface Funds {
  cash: Decimal;
  /** Σ reservationOf over the account's open entry orders (not asked to cancel). */
  reservations: Decimal;
  positions: readonly MarkedPosition[];
}

/** Shorts are held at 100 % margin on top of their proceeds. */
export const SHORT_MARGIN_MULTIPLE = 2;

const ZERO = new Decimal(0);

export function markPrice(quote: Decimal | null | undefined, avgPrice: Decimal): Decimal {
  return quote ?? avgPrice;
}

export function equityOf(cash: Decimal, positions: readonly MarkedPosition[]): Decimal {
  return positions.reduce((sum, p) => sum.plus(p.quantity.times(p.mark)), new Decimal(cash));
}

/** Σ |short quantity| × mark over the short positions. */
export function shortExposureOf(positions: readonly MarkedPosition[]): Decimal {
  return positions.reduce((sum, p) => (p.quantity.lt(0) ? sum.plus(p.quantity.abs().times(p.mark)) : sum), ZERO);
}

/** What an open entry order holds: remaining × price basis (none without a basis). */
export function reservationOf(remaining: Decimal, priceBasis: Decimal | null): Decimal {
  return priceBasis ? remaining.times(priceBasis) : ZERO;
}

export function buyingPowerOf(funds: Funds): Decimal {
  return funds.cash.minus(funds.reservations).minus(shortExposureOf(funds.positions).times(SHORT_MARGIN_MULTIPLE));
}
