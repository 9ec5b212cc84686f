/**
 * An order's own parameters checked as Binance checks them, before any balance or book is
 * looked at. Sources as in book.ts: rest-api.md "New order (TRADE)" (mandatory parameters by
 * type, trigger rules against the market price), "New Order list - OCO" (above/below prefixes),
 * errors.md (-1102, -1106, -1115, -1116, -1013, -2010 "… orders are not supported for this symbol.").
 */
import { Decimal } from '@utm/db';
import { filterFailure, type SymbolRules } from './rules';
import { err, mandatory, type BinanceError } from './signing';

/** errors.md -1100: client order ids, 1 to 36 of these characters. */
export const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
export const TRIGGERED = new Set(['STOP_LOSS', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT']);
const TIFS = new Set(['GTC', 'IOC', 'FOK']);

export interface OrderParams {
  quantity: Decimal;
  price: Decimal | null;
  stopPrice: Decimal | null;
  timeInForce: string | null;
}

const dec = (v: string | null): Decimal | null => {
  if (v === null || v === '' || !/^\d+(\.\d+)?$/.test(v)) return null;
  return new Decimal(v);
};
const rejected = (msg: string) => err(-2010, msg);

/** Checks an order's own parameters (prefix: '', 'above', 'below' for an OCO's orders). */
export function orderParams(
  r: SymbolRules,
  type: string,
  params: URLSearchParams,
  prefix: '' | 'above' | 'below',
  lastPrice: Decimal | null,
): OrderParams | BinanceError {
  const key = (k: string) => (prefix ? `${prefix}${k[0]?.toUpperCase()}${k.slice(1)}` : k);
  if (!r.orderTypes.includes(type)) {
    const known = ['LIMIT', 'LIMIT_MAKER', 'MARKET', ...TRIGGERED];
    if (!known.includes(type)) return err(-1116, 'Invalid orderType.');
    return rejected(`${type} orders are not supported for this symbol.`);
  }
  const quantity = dec(params.get('quantity'));
  if (quantity === null || quantity.lte(0)) return mandatory('quantity');
  const needsPrice = ['LIMIT', 'LIMIT_MAKER', 'STOP_LOSS_LIMIT', 'TAKE_PROFIT_LIMIT'].includes(type);
  const price = dec(params.get(key('price')));
  if (needsPrice && !price) return mandatory(key('price'));
  if (!needsPrice && params.get(key('price')) !== null)
    return err(-1106, `Parameter '${key('price')}' sent when not required.`);
  const stopPrice = dec(params.get(key('stopPrice')));
  if (TRIGGERED.has(type) && !stopPrice) return mandatory(key('stopPrice'));
  const tif = params.get(key('timeInForce'));
  const needsTif = type === 'LIMIT' || type === 'STOP_LOSS_LIMIT' || type === 'TAKE_PROFIT_LIMIT';
  if (needsTif && !tif) return mandatory(key('timeInForce'));
  if (tif !== null && !TIFS.has(tif)) return err(-1115, 'Invalid timeInForce.');
  if (!needsTif && tif !== null) return err(-1106, `Parameter '${key('timeInForce')}' sent when not required.`);
  const failure = filterFailure(r, { type, quantity, price, stopPrice, lastPrice });
  if (failure) return err(-1013, failure);
  return { quantity, price, stopPrice, timeInForce: tif };
}

/** STOP_LOSS SELL and TAKE_PROFIT BUY rest below the market; STOP_LOSS BUY and TAKE_PROFIT SELL above it. */
export function wouldTriggerNow(side: string, type: string, stop: Decimal | null, last: Decimal | null): boolean {
  if (!stop || !last || !TRIGGERED.has(type)) return false;
  return restsBelow(side, type) ? stop.gte(last) : stop.lte(last);
}

function restsBelow(side: string, type: string): boolean {
  const stopLoss = type.startsWith('STOP_LOSS');
  return (stopLoss && side === 'SELL') || (!stopLoss && side === 'BUY');
}

export function marketable(side: string, price: Decimal | null, last: Decimal): boolean {
  return price !== null && (side === 'BUY' ? price.gte(last) : price.lte(last));
}

/** The price a resting order executes at once the market trades at `last`, or null. */
export function reachedAt(
  o: { type: string; side: string; price: Decimal; stopPrice: Decimal | null },
  last: Decimal,
): Decimal | null {
  if (o.type === 'LIMIT' || o.type === 'LIMIT_MAKER') return marketable(o.side, o.price, last) ? o.price : null;
  if (!TRIGGERED.has(o.type) || !o.stopPrice) return null;
  const triggered = restsBelow(o.side, o.type) ? last.lte(o.stopPrice) : last.gte(o.stopPrice);
  if (!triggered) return null;
  if (o.type.endsWith('_LIMIT')) return marketable(o.side, o.price, last) ? o.price : null;
  return last;
}
