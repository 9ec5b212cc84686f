import { Decimal, type InstrumentRules } from '@utm/db';
import { floorToStep, qty } from './rounding';

/**
 * A venue's trading rules for one instrument, as instrument_rules keeps them (@utm/db: a crypto
 * exchange's market filters, Binance's LOT_SIZE, PRICE_FILTER and NOTIONAL; an equity broker's
 * increments), with what the store does not keep when the venue says it (ranges, whether the
 * minimum notional holds for MARKET orders: assumed so when unknown). Null: no such rule.
 */
export type MarketRules = Pick<
  InstrumentRules,
  'venue' | 'symbol' | 'quantityStep' | 'minQuantity' | 'tickSize' | 'minNotional'
> & {
  maxQuantity?: Decimal | null;
  minPrice?: Decimal | null;
  maxPrice?: Decimal | null;
  maxNotional?: Decimal | null;
  minNotionalAppliesToMarket?: boolean;
};

export interface OrderToFit {
  symbol: string;
  type: 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT' | 'TRAILING_STOP';
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  /** The price a MARKET order's notional is judged at (latest quote, sizing price); null: unknown. */
  referencePrice: Decimal | null;
}

export type RuleCode = 'QUANTITY_INCREMENT' | 'MIN_NOTIONAL' | 'PRICE_INCREMENT';

export type Fitted =
  { ok: true; quantity: Decimal; note: string | null } | { ok: false; code: RuleCode; message: string };

const refuse = (code: RuleCode, message: string): Fitted => ({ ok: false, code, message });

/**
 * An order made to meet the venue's rules, or why it cannot: the quantity is rounded DOWN to the
 * quantity step (never more than was sized or is held), then must lie within the minimum and
 * maximum quantity; each price must lie on the tick and within the price range (a price is the
 * sender's or an exit's, already rounded away from the money: it is never moved silently); the
 * notional (quantity × limit price, else stop price, else the reference price for MARKET
 * orders) must lie within the notional range.
 */
export function fitToRules(rules: MarketRules, o: OrderToFit): Fitted {
  let quantity = o.quantity;
  let note: string | null = null;
  if (rules.quantityStep && rules.quantityStep.gt(0)) {
    quantity = floorToStep(o.quantity, rules.quantityStep);
    if (!quantity.eq(o.quantity))
      note = `Quantity ${qty(o.quantity)} rounded down to ${qty(quantity)}, the ${rules.venue} lot step for ${o.symbol} being ${qty(rules.quantityStep)}`;
  }
  if (quantity.lte(0) || (rules.minQuantity && quantity.lt(rules.minQuantity))) {
    const min = rules.minQuantity ?? rules.quantityStep ?? new Decimal(0);
    return refuse(
      'QUANTITY_INCREMENT',
      `${qty(o.quantity)} ${o.symbol} is below the ${rules.venue} minimum quantity of ${qty(min)}${rules.quantityStep ? ` (step ${qty(rules.quantityStep)})` : ''}`,
    );
  }
  if (rules.maxQuantity && quantity.gt(rules.maxQuantity))
    return refuse(
      'QUANTITY_INCREMENT',
      `${qty(quantity)} ${o.symbol} is above the ${rules.venue} maximum quantity of ${qty(rules.maxQuantity)}`,
    );
  for (const [what, price] of [
    ['limit price', o.limitPrice],
    ['stop price', o.stopPrice],
  ] as const) {
    if (!price) continue;
    if (rules.tickSize && rules.tickSize.gt(0) && !price.mod(rules.tickSize).isZero())
      return refuse(
        'PRICE_INCREMENT',
        `The ${what} ${price.toFixed()} is not a multiple of the ${rules.venue} tick size for ${o.symbol}, ${rules.tickSize.toFixed()}`,
      );
    if ((rules.minPrice && price.lt(rules.minPrice)) || (rules.maxPrice && price.gt(rules.maxPrice)))
      return refuse(
        'PRICE_INCREMENT',
        `The ${what} ${price.toFixed()} is outside the ${rules.venue} price range for ${o.symbol}, ${rules.minPrice?.toFixed() ?? '0'} to ${rules.maxPrice?.toFixed() ?? 'unlimited'}`,
      );
  }
  const market = o.type === 'MARKET' || o.type === 'TRAILING_STOP';
  const price = o.limitPrice ?? o.stopPrice ?? o.referencePrice;
  if (price) {
    const notional = quantity.times(price);
    const at = `${qty(quantity)} × ${price.toFixed()} = ${notional.toFixed()}`;
    if (rules.minNotional && (!market || rules.minNotionalAppliesToMarket !== false) && notional.lt(rules.minNotional))
      return refuse(
        'MIN_NOTIONAL',
        `Order value ${at} is below the ${rules.venue} minimum notional for ${o.symbol}, ${rules.minNotional.toFixed()}`,
      );
    if (rules.maxNotional && !market && notional.gt(rules.maxNotional))
      return refuse(
        'MIN_NOTIONAL',
        `Order value ${at} is above the ${rules.venue} maximum notional for ${o.symbol}, ${rules.maxNotional.toFixed()}`,
      );
  }
  return { ok: true, quantity, note };
}
