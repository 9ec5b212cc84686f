import { Decimal } from '@utm/db';

/** Rounds a quantity down to a multiple of `step` (never up: never more than asked or affordable). */
export function floorToStep(quantity: Decimal, step: Decimal): Decimal {
  if (step.lte(0)) throw new Error('quantity step must be positive');
  return quantity.div(step).floor().times(step);
}

export type RoundDirection = 'up' | 'down';

/** Rounds a price to a multiple of `tick`, up or down. */
export function roundToTick(price: Decimal, tick: Decimal, direction: RoundDirection): Decimal {
  if (tick.lte(0)) throw new Error('tick size must be positive');
  const units = price.div(tick);
  return (direction === 'up' ? units.ceil() : units.floor()).times(tick);
}

/** A fixed tick, or one that depends on the price (US equities: $0.01 at $1 and above, $0.0001 below). */
export type Tick = Decimal | ((price: Decimal) => Decimal);

/**
 * Rounds to the tick that applies at the rounded price: a price-dependent tick is taken at the
 * price, and again at the result (0.99995 rounded up is 1.0000, which has a tick of its own).
 */
export function roundToTickAt(price: Decimal, tick: Tick, direction: RoundDirection): Decimal {
  if (!(typeof tick === 'function')) return roundToTick(price, tick, direction);
  const once = roundToTick(price, tick(price), direction);
  return roundToTick(once, tick(once), direction);
}

/** Whole shares unless the account trades fractions (then 1e-6, as fine as brokers go for equities). */
export const WHOLE_SHARE = new Decimal(1);
export const FRACTIONAL_STEP = new Decimal('0.000001');

/** US equities tick in cents at $1 and above, in hundredths of a cent below (Reg NMS rule 612). */
export function defaultTickSize(price: Decimal): Decimal {
  return price.gte(1) ? new Decimal('0.01') : new Decimal('0.0001');
}

/** Formats money for messages: thousands separators, two decimals ("15,000.00"). */
export function money(value: Decimal): string {
  const [int = '0', frac = '00'] = value.toFixed(2).split('.');
  const sign = int.startsWith('-') && /[1-9]/.test(int + frac) ? '-' : '';
  return `${sign}${int.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${frac}`;
}

/** Formats a quantity for messages without trailing zeros (at most 10 decimals, as stored). */
export function qty(value: Decimal): string {
  return value.toDecimalPlaces(10).toFixed();
}
