import type { ExitRules } from '@utm/contracts';
import { Decimal, type InstrumentRules } from '@utm/db';
import type { Side } from './exit-prices';
import { defaultTickSize, FRACTIONAL_STEP, roundToTickAt, WHOLE_SHARE } from './rounding';

/**
 * What Alpaca takes, as pure rules: the processor applies them before an order exists (sizing,
 * prices, refusals up front) and the executor when it prices exit legs, so that nothing is sent
 * that Alpaca refuses. Sources (alpacahq/alpaca-docs):
 * - content/trading/orders.md: sub-penny prices ("Limit price >=$1.00: Max Decimals= 2; <$1.00: 4");
 *   buy stops converted to stop limits "4% higher than a stop price < $50 (or 2.5% higher than a
 *   stop price >= $50)"; "you would not be able to submit two conditional closing orders" for the
 *   same shares (one closing order per share: an OCO carries stop + target); "Trailing stop orders
 *   are currently supported only with single orders"; time in force for crypto: gtc and ioc.
 * - content/trading/crypto-trading.md: market, limit and stop_limit; "Cryptocurrencies are not
 *   shortable"; increments per asset (min_order_size, min_trade_increment, price_increment).
 * - content/trading/fractional-trading.md (+ Alpaca's announcement of fractional limit orders):
 *   fractional quantities on day market or limit orders only, never short ("All fractional sell
 *   orders are marked long"), fractionable assets only.
 * - content/api-references/trading-api/_index.md: only easy-to-borrow assets are shorted.
 */
export const ALPACA_VENUE = 'alpaca';

/** Alpaca's quantities carry at most 9 decimals (fractional-trading.md). */
export const ALPACA_QTY_STEP = new Decimal('0.000000001');

export type OrderType = 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT';
export type TimeInForce = 'DAY' | 'GTC' | 'IOC' | 'FOK';

/** A refusal before anything is sent: a code of the error table and a sentence. */
export interface VenueRefusal {
  ok: false;
  code: 'NOT_SHORTABLE' | 'ORDER_NOT_SUPPORTED' | 'EXITS_NOT_SUPPORTED' | 'ASSET_NOT_TRADABLE';
  message: string;
}

const no = (code: VenueRefusal['code'], message: string): VenueRefusal => ({ ok: false, code, message });

export function isAlpacaCrypto(symbol: string, rules: InstrumentRules | null): boolean {
  return rules ? rules.assetClass === 'crypto' : symbol.includes('/');
}

/** The tick at a price: the asset's price increment (crypto), else the sub-penny rule. */
export function alpacaTick(rules: InstrumentRules | null): (price: Decimal) => Decimal {
  const fixed = rules?.assetClass === 'crypto' ? rules.tickSize : null;
  return fixed ? () => fixed : defaultTickSize;
}

/**
 * An entry's or close's prices, rounded to the tick so that it is never worse than asked: a buy
 * limit down and a sell limit up (never pays more, never sells for less); a buy stop up and a
 * sell stop down (never triggers before the price asked for is reached).
 */
export function roundOrderPrices(
  side: Side,
  prices: { limit: Decimal | null; stop: Decimal | null },
  tick: (p: Decimal) => Decimal,
): { limit: Decimal | null; stop: Decimal | null } {
  const buy = side === 'BUY';
  return {
    limit: prices.limit && roundToTickAt(prices.limit, tick, buy ? 'down' : 'up'),
    stop: prices.stop && roundToTickAt(prices.stop, tick, buy ? 'up' : 'down'),
  };
}

/**
 * The limit of a stop-limit standing in for a stop where Alpaca takes no stop (crypto): past the
 * stop by Alpaca's own collar for the stops it converts (4% below $50, 2.5% from $50), rounded
 * away from the stop (more room to fill).
 */
export function stopLimitPrice(side: Side, stop: Decimal, tick: (p: Decimal) => Decimal): Decimal {
  const collar = stop.lt(50) ? new Decimal('0.04') : new Decimal('0.025');
  const buy = side === 'BUY';
  const raw = buy ? stop.times(collar.plus(1)) : stop.times(new Decimal(1).minus(collar));
  return roundToTickAt(raw, tick, buy ? 'up' : 'down');
}

export interface OrderAsk {
  symbol: string;
  side: Side;
  type: OrderType;
  /** As the signal gave it; undefined: the signal left it to the default. */
  timeInForce: TimeInForce | undefined;
  /** The order opens or adds to a short (a sell when flat or short). */
  opensShort: boolean;
  /** Exit rules ride on this entry. */
  exitRules: ExitRules | null | undefined;
  /** The account trades fractions (accounts.allow_fractional). */
  allowFractional: boolean;
}

export interface OrderTerms {
  ok: true;
  /** STOP becomes STOP_LIMIT for crypto (then `stopLimit` says how to price its limit). */
  type: OrderType;
  timeInForce: TimeInForce;
  /** Quantities are multiples of this; `minQuantity`: at least this. */
  quantityStep: Decimal;
  minQuantity: Decimal | null;
  tick: (p: Decimal) => Decimal;
  /** What was changed from the signal, for the signal's events. */
  notes: string[];
}

/**
 * The exits Alpaca can hold for a position, one closing order at a time: a stop loss and a take
 * profit as one OCO (equities) or one of them alone; a trailing stop alone. Crypto: one exit, a
 * take profit (limit) or a stop loss (as a stop limit). Anything else would leave part of the
 * position without the exit asked for, so it is refused before the entry is placed.
 */
export function alpacaExitRefusal(exits: ExitRules | null | undefined, crypto: boolean): VenueRefusal | null {
  if (!exits) return null;
  const tp = Boolean(exits.takeProfit);
  const sl = Boolean(exits.stopLoss);
  const ts = Boolean(exits.trailingStop);
  const platform = 'exits held by the platform are not available yet';
  if (crypto && ts)
    return no(
      'EXITS_NOT_SUPPORTED',
      `Alpaca takes no trailing stop for crypto (${platform}): send a stop loss instead`,
    );
  if (crypto && sl && tp)
    return no(
      'EXITS_NOT_SUPPORTED',
      `Alpaca holds one closing order per crypto position and has no OCO for crypto, so a stop loss and a take profit cannot both rest (${platform}): send one of them`,
    );
  if (ts && (sl || tp))
    return no(
      'EXITS_NOT_SUPPORTED',
      `Alpaca reserves the shares under a working closing order and takes a trailing stop only as an order of its own, so it cannot rest beside a ${sl ? 'stop loss' : 'take profit'} (${platform}): send the trailing stop alone, or a stop loss with a take profit`,
    );
  return null;
}

/** What Alpaca takes for this order, given what it says of the asset (null: not asked yet). */
export function alpacaOrderTerms(ask: OrderAsk, rules: InstrumentRules | null): OrderTerms | VenueRefusal {
  const crypto = isAlpacaCrypto(ask.symbol, rules);
  const notes: string[] = [];
  const tick = alpacaTick(rules);
  if (rules && !rules.tradable) return no('ASSET_NOT_TRADABLE', `Alpaca does not trade ${ask.symbol} now`);
  const exits = alpacaExitRefusal(ask.exitRules, crypto);
  if (exits) return exits;
  if (crypto) {
    if (ask.opensShort)
      return no('NOT_SHORTABLE', `Alpaca does not sell crypto short: ${ask.symbol} can only be sold from a long`);
    if (ask.timeInForce === 'DAY' || ask.timeInForce === 'FOK')
      return no('ORDER_NOT_SUPPORTED', `Alpaca takes crypto orders GTC or IOC only, not ${ask.timeInForce}`);
    let type = ask.type;
    if (type === 'STOP') {
      type = 'STOP_LIMIT';
      notes.push(
        'Alpaca takes no STOP orders for crypto: sent as a STOP_LIMIT, its limit 2.5% (4% under $50) past the stop',
      );
    }
    if (ask.timeInForce === undefined) notes.push('Crypto at Alpaca: time in force GTC');
    return {
      ok: true,
      type,
      timeInForce: ask.timeInForce ?? 'GTC',
      quantityStep: rules?.quantityStep ?? ALPACA_QTY_STEP,
      minQuantity: rules?.minQuantity ?? null,
      tick,
      notes,
    };
  }
  if (ask.opensShort && rules && !rules.shortable)
    return no('NOT_SHORTABLE', `Alpaca cannot sell ${ask.symbol} short now (not shortable or not easy to borrow)`);
  const timeInForce = ask.timeInForce ?? 'DAY';
  const fractional =
    ask.allowFractional &&
    (rules?.fractionable ?? true) &&
    (ask.type === 'MARKET' || ask.type === 'LIMIT') &&
    timeInForce === 'DAY' &&
    !ask.opensShort &&
    !ask.exitRules;
  return {
    ok: true,
    type: ask.type,
    timeInForce,
    quantityStep: fractional ? FRACTIONAL_STEP : WHOLE_SHARE,
    minQuantity: null,
    tick,
    notes,
  };
}

/**
 * A quantity that is not whole (a close of a fractional position) goes to Alpaca only as a day
 * market or limit order: a close asking for more is sent DAY, or refused when its type is a stop.
 */
export function alpacaFractionalClose(
  quantity: Decimal,
  terms: OrderTerms,
  crypto: boolean,
): { timeInForce: TimeInForce; note: string | null } | VenueRefusal {
  if (crypto || quantity.isInteger()) return { timeInForce: terms.timeInForce, note: null };
  if (terms.type !== 'MARKET' && terms.type !== 'LIMIT')
    return no(
      'ORDER_NOT_SUPPORTED',
      `Alpaca takes a fractional quantity (${quantity.toFixed()}) only as a market or limit order: close with MARKET or LIMIT`,
    );
  if (terms.timeInForce === 'DAY') return { timeInForce: 'DAY', note: null };
  return {
    timeInForce: 'DAY',
    note: `Alpaca takes a fractional quantity (${quantity.toFixed()}) only as a DAY order: sent DAY instead of ${terms.timeInForce}`,
  };
}

/** How Alpaca holds exits for a symbol: the tick, what a stop loss is sent as, and what can be grouped. */
export interface AlpacaExitTerms {
  tick: (p: Decimal) => Decimal;
  stopType: 'STOP' | 'STOP_LIMIT';
  /** A stop loss and a take profit as one native OCO. */
  oco: boolean;
  /** A native trailing stop. */
  trailing: boolean;
}

export function alpacaExitTerms(symbol: string, rules: InstrumentRules | null): AlpacaExitTerms {
  const crypto = isAlpacaCrypto(symbol, rules);
  return { tick: alpacaTick(rules), stopType: crypto ? 'STOP_LIMIT' : 'STOP', oco: !crypto, trailing: !crypto };
}
