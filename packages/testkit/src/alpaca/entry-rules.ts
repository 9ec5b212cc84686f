/**
 * What POST /v2/orders refuses because of the request itself and the asset it names, before
 * any position or other order is looked at (position-rules.ts does those). Each rule cites its
 * source; paths are in alpacahq/alpaca-docs unless a URL is given.
 *
 * The wording of a refusal is Alpaca's where the docs or a reported answer give it, else ours
 * (said so beside it): clients must not depend on the words, only the status and code are
 * documented (orders.yaml: 403 buying power or shares, 422 input parameters).
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import type { ServerAsset } from './assets';

export interface Refusal {
  status: number;
  body: { code: number; message: string };
}

export const refuse = (status: number, code: number, message: string): Refusal => ({
  status,
  body: { code, message },
});
/** Malformed or missing input (orders.yaml "422 Input parameters are not recognized"; code as Alpaca sends it). */
export const invalid = (message: string): Refusal => refuse(422, 40010001, message);
/** A rule the input breaks (content/trading/orders.md: sub-penny refusals are 422 42210000). */
export const unprocessable = (message: string): Refusal => refuse(422, 42210000, message);

export interface ParsedOrder {
  symbol: string;
  qty: Decimal;
  side: 'buy' | 'sell';
  type: string;
  tif: string;
  orderClass: string;
  limit: string | null;
  stop: string | null;
  trailPercent: string | null;
  trailPrice: string | null;
  takeProfit: { limit: string } | null;
  stopLoss: { stop: string; limit: string | null } | null;
  clientOrderId: string;
}

const DECIMAL = /^\d+(\.\d+)?$/;
const TIFS = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'];
const TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const CLASSES = ['simple', 'bracket', 'oco', 'oto'];

export function str(body: Record<string, unknown>, key: string): string | null {
  const v = body[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

const obj = (body: Record<string, unknown>, key: string): Record<string, unknown> | null => {
  const v = body[key];
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
};

const decimals = (v: string): number => (v.split('.')[1] ?? '').length;

/**
 * content/trading/orders.md, "Sub-penny increments for limit orders" / "for stop orders": at or
 * above $1 at most 2 decimals, below $1 at most 4, else 422 42210000 "invalid limit_price
 * 290.123. sub-penny increment does not fulfill minimum pricing criteria". Crypto prices go by
 * the asset's price_increment (asset-crypto-v2.yaml: "Amount the price can be incremented by").
 */
export function priceRefusal(field: string, value: string | null, asset: ServerAsset): Refusal | null {
  if (value === null) return null;
  if (!DECIMAL.test(value) || new Decimal(value).lte(0)) return invalid(`${field} must be a positive number`);
  const price = new Decimal(value);
  if (asset.class === 'crypto') {
    const inc = new Decimal(asset.price_increment ?? '0.01');
    return price.mod(inc).isZero()
      ? null
      : unprocessable(`invalid ${field} ${value}. must be a multiple of price_increment ${inc.toFixed()}`);
  }
  const max = price.gte(1) ? 2 : 4;
  return decimals(value) <= max
    ? null
    : unprocessable(`invalid ${field} ${value}. sub-penny increment does not fulfill minimum pricing criteria`);
}

function shape(body: Record<string, unknown>): ParsedOrder | Refusal {
  const symbol = str(body, 'symbol');
  const qty = str(body, 'qty');
  const side = str(body, 'side');
  const type = str(body, 'type');
  const tif = str(body, 'time_in_force');
  if (body.notional !== undefined && body.notional !== null)
    return invalid('notional orders are not modelled by this server (the platform sends qty)');
  if (!symbol || !qty || !side || !type || !tif)
    return invalid('symbol, qty, side, type and time_in_force are required');
  // fractional-trading.md: "Both notional and qty fields can take up to 9 decimal point values."
  if (!DECIMAL.test(qty) || new Decimal(qty).lte(0) || decimals(qty) > 9)
    return invalid('qty must be a positive number with at most 9 decimals');
  if (side !== 'buy' && side !== 'sell') return invalid(`invalid side: ${side}`);
  if (!TIFS.includes(tif)) return invalid(`invalid time_in_force: ${tif}`);
  if (!TYPES.includes(type)) return invalid(`invalid order type: ${type}`);
  const orderClass = str(body, 'order_class') || 'simple';
  if (!CLASSES.includes(orderClass)) return invalid(`invalid order_class: ${orderClass}`);
  if (body.extended_hours === true) return invalid('extended_hours orders are not modelled by this server');
  const tp = obj(body, 'take_profit');
  const sl = obj(body, 'stop_loss');
  const clientOrderId = str(body, 'client_order_id') ?? randomUUID();
  if (clientOrderId.length > 48) return invalid('client_order_id must be no more than 48 characters');
  return {
    symbol,
    qty: new Decimal(qty),
    side,
    type,
    tif,
    orderClass,
    limit: str(body, 'limit_price'),
    stop: str(body, 'stop_price'),
    trailPercent: str(body, 'trail_percent'),
    trailPrice: str(body, 'trail_price'),
    takeProfit: tp ? { limit: str(tp, 'limit_price') ?? '' } : null,
    stopLoss: sl ? { stop: str(sl, 'stop_price') ?? '', limit: str(sl, 'limit_price') } : null,
    clientOrderId,
  };
}

/** Type, prices and order class (content/trading/orders.md, "Order Types", "Bracket/OCO/OTO", "Trailing Stop"). */
function typeRefusal(o: ParsedOrder): Refusal | null {
  const oco = o.orderClass === 'oco';
  if (!oco && (o.type === 'limit' || o.type === 'stop_limit') && !o.limit) return invalid('limit_price is required');
  if ((o.type === 'stop' || o.type === 'stop_limit') && !o.stop) return invalid('stop_price is required');
  // Forum "Bracket Order - Closing Positions": "limit orders must not have stop_price".
  if (o.type === 'limit' && o.stop) return unprocessable('limit orders must not have stop_price');
  if (o.type === 'trailing_stop') {
    // "One of these values must be set"; "Valid time-in-force values for trailing stop are day and gtc";
    // "Trailing stop orders are currently supported only with single orders".
    if ((o.trailPercent === null) === (o.trailPrice === null))
      return invalid('either trail_price or trail_percent is required');
    if (o.tif !== 'day' && o.tif !== 'gtc') return unprocessable('trailing_stop orders must be day or gtc');
    if (o.orderClass !== 'simple') return unprocessable('trailing_stop is supported only with simple orders');
  }
  // "Use this TIF with a market/limit order type" (opg, cls).
  if ((o.tif === 'opg' || o.tif === 'cls') && o.type !== 'market' && o.type !== 'limit')
    return unprocessable(`${o.tif} orders must be market or limit orders`);
  if (o.orderClass === 'simple') return null;
  // Bracket / OCO / OTO: "time_in_force must be day or gtc"; "Both take_profit.limit_price and
  // stop_loss.stop_price must be present" (bracket, OCO); OTO: "Either of take_profit or stop_loss";
  // OCO: "The type parameter must always be limit".
  if (o.tif !== 'day' && o.tif !== 'gtc') return unprocessable('time_in_force must be day or gtc for advanced orders');
  if (o.takeProfit && !o.takeProfit.limit) return invalid('take_profit.limit_price is required');
  if (o.stopLoss && !o.stopLoss.stop) return invalid('stop_loss.stop_price is required');
  if (o.orderClass === 'oto' && (o.takeProfit === null) === (o.stopLoss === null))
    return invalid('oto orders need either take_profit or stop_loss');
  if (o.orderClass !== 'oto' && (!o.takeProfit || !o.stopLoss))
    return invalid('take_profit.limit_price and stop_loss.stop_price are required');
  if (o.orderClass === 'oco' && o.type !== 'limit') return unprocessable('oco orders must be limit orders');
  return null;
}

/**
 * content/trading/orders.md, "Threshold on stop price of stop-loss orders": the stop-loss leg's
 * stop must be at least $0.01 below (a sell stop; above for a buy) the base price: the take
 * profit's limit for OCO, the entry's limit for bracket/OTO with a limit entry, and the current
 * market price for any. Bracket: "take_profit.limit_price must be higher than
 * stop_loss.stop_price for a buy bracket order, and vice versa for a sell."
 */
function thresholdRefusal(o: ParsedOrder, market: Decimal | null): Refusal | null {
  if (!o.stopLoss || o.orderClass === 'simple') return null;
  const exitSide = o.orderClass === 'oco' ? o.side : o.side === 'buy' ? 'sell' : 'buy';
  const stop = new Decimal(o.stopLoss.stop);
  const bases: Decimal[] = [];
  if (o.orderClass === 'oco' && o.takeProfit) bases.push(new Decimal(o.takeProfit.limit));
  if (o.orderClass !== 'oco' && o.type === 'limit' && o.limit) bases.push(new Decimal(o.limit));
  if (market) bases.push(market);
  for (const base of bases) {
    const ok = exitSide === 'sell' ? stop.lte(base.minus('0.01')) : stop.gte(base.plus('0.01'));
    if (!ok)
      return unprocessable(
        `stop_loss.stop_price must be at least 0.01 ${exitSide === 'sell' ? 'below' : 'above'} base price ${base.toFixed()}`,
      );
  }
  if (o.orderClass === 'bracket' && o.takeProfit) {
    const tp = new Decimal(o.takeProfit.limit);
    if (exitSide === 'sell' ? tp.lte(stop) : tp.gte(stop))
      return unprocessable(
        `take_profit.limit_price must be ${exitSide === 'sell' ? 'higher' : 'lower'} than stop_loss.stop_price`,
      );
  }
  return null;
}

/**
 * content/trading/crypto-trading.md, "Supported Orders": market, limit and stop_limit;
 * time_in_force gtc and ioc ("We only support gtc and ioc time in force options for crypto
 * orders"; orders.md "Time in Force": "OPG, fok, day, and CLS are not supported"); no bracket,
 * OCO, OTO or trailing stop (not among the supported orders). Quantities per the asset's
 * min_order_size and min_trade_increment (asset-crypto-v2.yaml). Wording ours.
 */
function cryptoRefusal(o: ParsedOrder, asset: ServerAsset): Refusal | null {
  if (o.tif !== 'gtc' && o.tif !== 'ioc') return unprocessable(`invalid crypto time_in_force: ${o.tif}`);
  if (!['market', 'limit', 'stop_limit'].includes(o.type)) return unprocessable(`invalid crypto order type: ${o.type}`);
  if (o.orderClass !== 'simple') return unprocessable(`crypto orders do not support order_class ${o.orderClass}`);
  const min = new Decimal(asset.min_order_size ?? '0');
  if (o.qty.lt(min)) return unprocessable(`qty must be >= ${min.toFixed()} (min_order_size)`);
  const inc = new Decimal(asset.min_trade_increment ?? '0.000000001');
  if (!o.qty.mod(inc).isZero())
    return unprocessable(`qty must be a multiple of ${inc.toFixed()} (min_trade_increment)`);
  return null;
}

/**
 * Fractional quantities: content/trading/fractional-trading.md ("Not all assets are
 * fractionable ... rejected with an error message that reads `requested asset is not
 * fractionable`"; day orders only); market or limit only (Alpaca's announcement "Fractional
 * Shares Trading Supports Limit Orders and Extended Hours"; the Broker API trading page:
 * "fractional shares trading is currently supported only for day orders"); simple orders only
 * (bracket legs cannot be fractional: an exit is GTC or a group). Wording ours but the first.
 */
function fractionalRefusal(o: ParsedOrder, asset: ServerAsset): Refusal | null {
  if (!asset.fractionable) return unprocessable('requested asset is not fractionable');
  if (o.tif !== 'day') return unprocessable('fractional orders must be day orders');
  if (o.type !== 'market' && o.type !== 'limit')
    return unprocessable('fractional orders must be market or limit orders');
  if (o.orderClass !== 'simple') return unprocessable('fractional orders must be simple orders');
  return null;
}

/**
 * The request alone, against its asset: shape, asset, class-specific rules, prices, stop
 * threshold (`market`: the last price the server knows for the symbol, if any).
 */
export function entryRefusal(
  body: Record<string, unknown>,
  findAsset: (symbol: string) => ServerAsset | null,
  market: (symbol: string) => Decimal | null,
): ParsedOrder | Refusal {
  const o = shape(body);
  if ('body' in o) return o;
  const asset = findAsset(o.symbol);
  // assets.yaml: an unknown asset is 404; an order for it is refused (wording ours).
  if (!asset) return unprocessable(`asset ${o.symbol} not found`);
  if (asset.status !== 'active' || !asset.tradable) return unprocessable(`asset ${o.symbol} is not tradable`);
  o.symbol = asset.symbol;
  const byClass =
    asset.class === 'crypto' ? cryptoRefusal(o, asset) : o.qty.isInteger() ? null : fractionalRefusal(o, asset);
  if (byClass) return byClass;
  const typed = typeRefusal(o);
  if (typed) return typed;
  for (const [field, value] of [
    ['limit_price', o.orderClass === 'oco' ? null : o.limit],
    ['stop_price', o.stop],
    ['trail_price', o.trailPrice],
    ['take_profit.limit_price', o.takeProfit?.limit ?? null],
    ['stop_loss.stop_price', o.stopLoss?.stop ?? null],
    ['stop_loss.limit_price', o.stopLoss?.limit ?? null],
  ] as const) {
    const bad = priceRefusal(field, value, asset);
    if (bad) return bad;
  }
  if (o.trailPercent !== null && (!DECIMAL.test(o.trailPercent) || new Decimal(o.trailPercent).lte(0)))
    return invalid('trail_percent must be a positive number');
  return thresholdRefusal(o, market(o.symbol)) ?? o;
}
