import { Decimal, type InstrumentRules } from '@utm/db';
import { ALPACA_QTY_STEP, isAlpacaCrypto, type TimeInForce } from './alpaca';
import type { Side } from './exit-prices';

/**
 * The last check before an order leaves for Alpaca: would Alpaca refuse it for its shape, its
 * prices or its quantity? The processor shapes orders so that they fit (alpaca.ts); exit legs
 * are priced to fit; this says so, or names the rule broken, so that nothing is sent that the
 * documentation says is refused. Sources as in alpaca.ts (orders.md sub-penny rule,
 * crypto-trading.md, fractional-trading.md, the asset's increments).
 */
export interface GuardedOrder {
  symbol: string;
  side: Side;
  type: 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT' | 'TRAILING_STOP';
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailAmount: Decimal | null;
  timeInForce: TimeInForce;
  /** The prices of a native OCO or bracket riding on it (take profit's limit, stop loss's stop). */
  exitPrices: Decimal[];
  /** A bracket, OCO or OTO. */
  advanced: boolean;
  /** An entry that sells: it opens or adds to a short. */
  opensShort?: boolean;
}

export interface GuardRefusal {
  code:
    | 'ORDER_NOT_SUPPORTED'
    | 'QUANTITY_INCREMENT'
    | 'PRICE_INCREMENT'
    | 'NOT_FRACTIONABLE'
    | 'ASSET_NOT_TRADABLE'
    | 'NOT_SHORTABLE';
  message: string;
}

const decimals = (d: Decimal): number => Math.max(0, d.decimalPlaces());

function priceOff(price: Decimal, crypto: boolean, tick: Decimal | null): boolean {
  if (crypto && tick) return !price.mod(tick).isZero();
  return decimals(price) > (price.gte(1) ? 2 : 4);
}

export function alpacaOrderRefusal(o: GuardedOrder, rules: InstrumentRules | null): GuardRefusal | null {
  const crypto = isAlpacaCrypto(o.symbol, rules);
  if (rules && !rules.tradable) return { code: 'ASSET_NOT_TRADABLE', message: `Alpaca does not trade ${o.symbol} now` };
  if (o.opensShort && (crypto || (rules && !rules.shortable)))
    return { code: 'NOT_SHORTABLE', message: `Alpaca does not sell ${o.symbol} short${crypto ? ' (crypto)' : ' now'}` };
  if (o.opensShort && !o.quantity.isInteger())
    return {
      code: 'NOT_SHORTABLE',
      message: `Alpaca does not sell fractions short (${o.quantity.toFixed()} ${o.symbol})`,
    };
  if (decimals(o.quantity) > 9)
    return {
      code: 'QUANTITY_INCREMENT',
      message: `Alpaca takes at most 9 decimals of quantity (${o.quantity.toFixed()})`,
    };
  if (crypto) {
    if (o.timeInForce !== 'GTC' && o.timeInForce !== 'IOC')
      return {
        code: 'ORDER_NOT_SUPPORTED',
        message: `Alpaca takes crypto orders GTC or IOC only, not ${o.timeInForce}`,
      };
    if (!['MARKET', 'LIMIT', 'STOP_LIMIT'].includes(o.type) || o.advanced)
      return {
        code: 'ORDER_NOT_SUPPORTED',
        message: `Alpaca takes crypto as market, limit and stop-limit orders of their own only, not ${o.advanced ? 'a bracket or OCO' : o.type}`,
      };
    const step = rules?.quantityStep ?? ALPACA_QTY_STEP;
    if (!o.quantity.mod(step).isZero())
      return {
        code: 'QUANTITY_INCREMENT',
        message: `${o.quantity.toFixed()} ${o.symbol} is not a multiple of Alpaca's increment ${step.toFixed()}`,
      };
    if (rules?.minQuantity && o.quantity.lt(rules.minQuantity))
      return {
        code: 'QUANTITY_INCREMENT',
        message: `${o.quantity.toFixed()} ${o.symbol} is below Alpaca's minimum ${rules.minQuantity.toFixed()}`,
      };
  } else if (!o.quantity.isInteger()) {
    if (rules && !rules.fractionable)
      return {
        code: 'NOT_FRACTIONABLE',
        message: `Alpaca takes whole shares of ${o.symbol} only (${o.quantity.toFixed()})`,
      };
    if (o.timeInForce !== 'DAY' || (o.type !== 'MARKET' && o.type !== 'LIMIT') || o.advanced)
      return {
        code: 'ORDER_NOT_SUPPORTED',
        message: `Alpaca takes a fractional quantity (${o.quantity.toFixed()}) only as a DAY market or limit order of its own`,
      };
  }
  const tick = crypto ? (rules?.tickSize ?? null) : null;
  for (const p of [o.limitPrice, o.stopPrice, o.trailAmount, ...o.exitPrices]) {
    if (p && priceOff(p, crypto, tick))
      return {
        code: 'PRICE_INCREMENT',
        message: `${p.toFixed()} is not on Alpaca's tick for ${o.symbol} (${tick ? tick.toFixed() : 'cents at $1 and above, hundredths of a cent below'})`,
      };
  }
  return null;
}
