import type { ExitRule, ExitRules, TrailingStopRule } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { roundToTickAt, type RoundDirection, type Tick } from './rounding';
/** BUY opens (or adds to) a long, SELL a short. */
export type Side = 'BUY' | 'SELL';

/**
 * Exit-leg prices from an entry's (average) fill price.
 *
 * Long (entry BUY): stop below, target above. Short (entry SELL): mirrored. PERCENT is a
 * percentage of the fill price, AMOUNT a price offset, PRICE the level itself. Prices are
 * rounded to the tick away from the money (a long's stop down, its target up; a short's
 * stop up, its target down), so a leg is never tighter than asked. The tick may depend on the
 * price (then it is the tick at the leg's own price, not the fill's).
 */
export interface TrailingStopPrices {
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  /** Where the stop starts: the fill price less the trail (long), rounded away. */
  initialStop: Decimal;
}

export interface ExitPrices {
  stopLoss?: Decimal;
  takeProfit?: Decimal;
  trailingStop?: TrailingStopPrices;
}

export type ExitPricesResult = { ok: true; prices: ExitPrices } | { ok: false; message: string };

type Leg = 'stopLoss' | 'takeProfit';

/** +1 when the leg's price lies above the fill price, -1 below. */
function directionOf(leg: Leg, side: Side): 1 | -1 {
  const longStop = leg === 'stopLoss' ? -1 : 1;
  return (side === 'BUY' ? longStop : -longStop) as 1 | -1;
}

function rounding(dir: 1 | -1): RoundDirection {
  return dir === 1 ? 'up' : 'down';
}

function legPrice(leg: Leg, rule: ExitRule, side: Side, fill: Decimal, tick: Tick): Decimal | string {
  const dir = directionOf(leg, side);
  const value = new Decimal(rule.value);
  let raw: Decimal;
  switch (rule.type) {
    case 'PERCENT':
      raw = fill.plus(fill.times(value).div(100).times(dir));
      break;
    case 'AMOUNT':
      raw = fill.plus(value.times(dir));
      break;
    case 'PRICE':
      raw = value;
      break;
  }
  const price = roundToTickAt(raw, tick, rounding(dir));
  const name = leg === 'stopLoss' ? 'stop loss' : 'take profit';
  const where = dir === 1 ? 'above' : 'below';
  const sideName = side === 'BUY' ? 'long' : 'short';
  if (price.lte(0)) return `${name} of a ${sideName} at ${raw.toFixed()} is not a positive price`;
  if (dir === 1 ? price.lte(fill) : price.gte(fill)) {
    return `${name} of a ${sideName} must be ${where} the entry price ${fill.toFixed()} (got ${price.toFixed()})`;
  }
  return price;
}

function trailing(rule: TrailingStopRule, side: Side, fill: Decimal, tick: Tick): TrailingStopPrices | string {
  const dir = directionOf('stopLoss', side);
  const value = new Decimal(rule.value);
  const offset = rule.type === 'PERCENT' ? fill.times(value).div(100) : value;
  const initialStop = roundToTickAt(fill.plus(offset.times(dir)), tick, rounding(dir));
  const unit = rule.type === 'PERCENT' ? '%' : '';
  if (rule.type === 'PERCENT' && value.gte(100)) return 'trailing stop percent must be below 100';
  if (initialStop.lte(0)) return `trailing stop of ${rule.value}${unit} leaves no positive stop price`;
  if (dir === 1 ? initialStop.lte(fill) : initialStop.gte(fill)) {
    return `trailing stop of ${rule.value}${unit} is less than a tick from the entry price ${fill.toFixed()}`;
  }
  return {
    trailPercent: rule.type === 'PERCENT' ? value : null,
    trailAmount: rule.type === 'AMOUNT' ? value : null,
    initialStop,
  };
}

export function exitPrices(rules: ExitRules, entrySide: Side, fillPrice: Decimal, tickSize: Tick): ExitPricesResult {
  const prices: ExitPrices = {};
  const problems: string[] = [];
  for (const leg of ['stopLoss', 'takeProfit'] as const) {
    const rule = rules[leg];
    if (!rule) continue;
    const p = legPrice(leg, rule, entrySide, fillPrice, tickSize);
    if (typeof p === 'string') problems.push(p);
    else prices[leg] = p;
  }
  if (rules.trailingStop) {
    const t = trailing(rules.trailingStop, entrySide, fillPrice, tickSize);
    if (typeof t === 'string') problems.push(t);
    else prices.trailingStop = t;
  }
  return problems.length ? { ok: false, message: problems.join('; ') } : { ok: true, prices };
}
