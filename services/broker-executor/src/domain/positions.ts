import { Decimal } from '@utm/db';

/**
 * A fill's effect on a position and on cash, exactly (decimals).
 *
 * quantity is signed (negative: short). Adding to a position moves its average price to the
 * quantity-weighted mean; reducing it leaves the average as it was; crossing zero opens the
 * other side at the fill price. Cash pays for buys and receives sells (a short's proceeds
 * included: buying power accounts for them, see the processor's risk rule).
 */
export interface PositionState {
  quantity: Decimal;
  avgPrice: Decimal;
}

export function applyFillToPosition(
  pos: PositionState | null,
  side: 'BUY' | 'SELL',
  quantity: Decimal,
  price: Decimal,
): PositionState {
  const before = pos ?? { quantity: new Decimal(0), avgPrice: new Decimal(0) };
  const delta = side === 'BUY' ? quantity : quantity.neg();
  const after = before.quantity.plus(delta);
  if (after.isZero()) return { quantity: after, avgPrice: new Decimal(0) };
  const sameDirection = before.quantity.isZero() || before.quantity.isNeg() === delta.isNeg();
  if (sameDirection) {
    const cost = before.quantity.abs().times(before.avgPrice).plus(quantity.times(price));
    return { quantity: after, avgPrice: cost.div(after.abs()) };
  }
  if (after.isNeg() === before.quantity.isNeg()) return { quantity: after, avgPrice: before.avgPrice };
  return { quantity: after, avgPrice: price };
}

export function cashAfterFill(cash: Decimal, side: 'BUY' | 'SELL', quantity: Decimal, price: Decimal): Decimal {
  const notional = quantity.times(price);
  return side === 'BUY' ? cash.minus(notional) : cash.plus(notional);
}

/** The order's new average fill price after one more execution. */
export function averageFill(filled: Decimal, avg: Decimal | null, quantity: Decimal, price: Decimal): Decimal {
  const total = filled.plus(quantity);
  return filled.isZero() || avg === null ? price : filled.times(avg).plus(quantity.times(price)).div(total);
}
