import { Decimal } from '@utm/db';
import type { AccountSnapshot } from './types';

/**
 * Equity = cash + Σ quantity × mark (shorts are negative quantities).
 *
 * Buying power = cash − open entry reservations − 2 × Σ |short quantity| × mark.
 * A short locks its sale proceeds (they are in cash) and as much again as collateral
 * (100% margin), so that opening a short uses its notional of buying power exactly as
 * opening a long does. Orders that only reduce a position need no buying power.
 */
export function equityOf(account: AccountSnapshot): Decimal {
  return account.positions.reduce((sum, p) => sum.plus(p.quantity.times(p.mark)), new Decimal(account.cash));
}

export function buyingPowerOf(account: AccountSnapshot): Decimal {
  const shortExposure = account.positions.reduce(
    (sum, p) => (p.quantity.lt(0) ? sum.plus(p.quantity.abs().times(p.mark)) : sum),
    new Decimal(0),
  );
  return account.cash.minus(account.reservations).minus(shortExposure.times(2));
}
