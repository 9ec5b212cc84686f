import { Decimal } from '@utm/db';

export interface MarkedPosition {
  quantity: Decimal;
  avgPrice: Decimal;
  /** The latest quote for the symbol, if any. */
  mark: Decimal | null;
}

/**
 * Equity = cash + Σ quantity × mark price (the latest quote, else the average entry price).
 * Short quantities are negative: their proceeds are in cash and their value is a liability.
 */
export function equityOf(cash: Decimal, positions: MarkedPosition[]): Decimal {
  return positions.reduce((sum, p) => sum.plus(p.quantity.times(p.mark ?? p.avgPrice)), new Decimal(cash));
}
