import { Decimal } from '@utm/db';
import { buyingPowerOf, money, qty, shortExposureOf, type MarkedPosition } from '@utm/trading';
import type { BrokerSide } from '../broker/types';
import type { PaperOrder } from './types';

/**
 * Whether the paper broker accepts an order the account must pay for, with the signal
 * processor's rule, `@utm/trading`'s buyingPowerOf:
 *   buying power = cash − open-entry reservations − 2 × Σ |short quantity| × mark.
 * Only the part of the order that opens or adds to a position needs buying power, its
 * quantity × price; the part that reduces the current position needs none. Deciding by the
 * position rather than by the order's role also covers an exit leg left over after its
 * position was closed elsewhere: that one would open a new position, so it is checked.
 */
export interface AffordabilityInput {
  side: BrokerSide;
  /** The quantity to place (the order's remaining quantity). */
  quantity: Decimal;
  /** What it is expected to pay per unit: see priceToPay. */
  price: Decimal;
  /** The account's filled position in the symbol, signed (negative: short). */
  position: Decimal;
  cash: Decimal;
  /** Σ remaining × price basis of the account's OTHER open entry orders (not this one's own). */
  reservations: Decimal;
  /** Every position of the account, signed, at its mark (markPrice: the quote, else the average price). */
  positions: readonly MarkedPosition[];
}

export type Affordability =
  | { ok: true; needed: Decimal; buyingPower: Decimal }
  | { ok: false; needed: Decimal; buyingPower: Decimal; reason: string };

/** The part of an order that does not reduce the position: what needs buying power. */
export function openingQuantity(side: BrokerSide, quantity: Decimal, position: Decimal): Decimal {
  const reducible = side === 'BUY' ? Decimal.max(0, position.neg()) : Decimal.max(0, position);
  return Decimal.max(0, quantity.minus(reducible));
}

export function affordable(input: AffordabilityInput): Affordability {
  const opening = openingQuantity(input.side, input.quantity, input.position);
  const needed = opening.times(input.price);
  const buyingPower = buyingPowerOf(input);
  if (needed.lte(buyingPower) || opening.isZero()) return { ok: true, needed, buyingPower };
  const what = opening.eq(input.quantity)
    ? `${input.side} ${qty(opening)}`
    : `${input.side} ${qty(input.quantity)} (${qty(opening)} of them opening)`;
  const reason =
    `Insufficient buying power: ${what} at ${input.price.toFixed()} needs ${money(needed)}, ` +
    `${money(Decimal.max(buyingPower, 0))} available (cash ${money(input.cash)} − reservations ${money(input.reservations)} − 2 × short exposure ${money(shortExposureOf(input.positions))})`;
  return { ok: false, needed, buyingPower, reason };
}

/**
 * The price an order is checked at when it is placed: its own limit (LIMIT, STOP_LIMIT: it
 * pays at most that when buying), its stop (STOP: the price it triggers at), else the quote.
 * When the quote is already worse than a BUY stop, the stop would trigger at once and fill at
 * the quote, so the higher of the two is used (mirrored for a SELL it is the lower, which only
 * matters for the notional of a short). Null: no price known yet (no quote for a MARKET or
 * trailing stop order): the caller falls back to the order's price basis.
 */
export function priceToPay(
  order: Pick<PaperOrder, 'side' | 'type' | 'limitPrice' | 'stopPrice'>,
  quote: Decimal | null,
): Decimal | null {
  switch (order.type) {
    case 'LIMIT':
    case 'STOP_LIMIT':
      return order.limitPrice;
    case 'STOP': {
      if (!order.stopPrice || !quote) return order.stopPrice ?? quote;
      return order.side === 'BUY' ? Decimal.max(order.stopPrice, quote) : Decimal.min(order.stopPrice, quote);
    }
    case 'MARKET':
    case 'TRAILING_STOP':
      return quote;
  }
}
