/**
 * POST /api/v3/orderList/oco on the stand-in's book. Sources: rest-api.md "New Order list - OCO
 * (TRADE)": an above and a below order (SELL: LIMIT_MAKER/TAKE_PROFIT/TAKE_PROFIT_LIMIT above,
 * STOP_LOSS/STOP_LOSS_LIMIT below; BUY mirrored), price restrictions against the last traded
 * price, one quantity for both, listClientOrderId unique among open lists; errors.md (-1014
 * "Unsupported order combination.", -2010 "The relationship of the prices for the orders is not
 * correct.", "OCO orders are not supported for this symbol", "Duplicate order sent.").
 */
import type { OrderList, SpotBook, SpotOrder } from './book';
import { CLIENT_ID, orderParams, type OrderParams } from './order-params';
import { err, mandatory, type BinanceError } from './signing';

const rejected = (msg: string) => err(-2010, msg);

export function placeOco(
  book: SpotBook,
  params: URLSearchParams,
): { list: OrderList; orders: SpotOrder[] } | BinanceError {
  const r = book.symbolFor(params);
  if ('code' in r) return r;
  const side = params.get('side');
  if (side !== 'BUY' && side !== 'SELL') return mandatory('side');
  const aboveType = params.get('aboveType');
  const belowType = params.get('belowType');
  if (!aboveType) return mandatory('aboveType');
  if (!belowType) return mandatory('belowType');
  const limitish = ['LIMIT_MAKER', 'TAKE_PROFIT', 'TAKE_PROFIT_LIMIT'];
  const stopish = ['STOP_LOSS', 'STOP_LOSS_LIMIT'];
  const [upper, lower] = side === 'SELL' ? [limitish, stopish] : [stopish, limitish];
  if (!upper.includes(aboveType) || !lower.includes(belowType)) return err(-1014, 'Unsupported order combination.');
  if (!r.ocoAllowed) return rejected('OCO orders are not supported for this symbol');
  if (r.status !== 'TRADING') return rejected('Market is closed.');
  const listClientOrderId = params.get('listClientOrderId');
  if (listClientOrderId !== null && !CLIENT_ID.test(listClientOrderId))
    return err(-1100, "Illegal characters found in parameter 'listClientOrderId'.");
  if (listClientOrderId && book.lists.some((l) => l.listClientOrderId === listClientOrderId && !l.done))
    return rejected('Duplicate order sent.');
  const aboveId = params.get('aboveClientOrderId');
  const belowId = params.get('belowClientOrderId');
  for (const [id, name] of [
    [aboveId, 'aboveClientOrderId'],
    [belowId, 'belowClientOrderId'],
  ] as const) {
    const e = book.checkClientId(r.symbol, id, name);
    if (e) return e;
  }
  const last = book.lastPrice.get(r.symbol) ?? null;
  const above = orderParams(r, aboveType, params, 'above', last);
  if ('code' in above) return above;
  const below = orderParams(r, belowType, params, 'below', last);
  if ('code' in below) return below;
  const level = (p: OrderParams, type: string) => (type === 'LIMIT_MAKER' ? p.price : p.stopPrice);
  const hi = level(above, aboveType);
  const lo = level(below, belowType);
  if (!last || !hi || !lo || !(hi.gt(last) && last.gt(lo)))
    return rejected('The relationship of the prices for the orders is not correct.');
  // Quantity for both orders; the balance is held once for the pair.
  const lock = book.lockFor(r, side, above.quantity, side === 'BUY' ? hi : null);
  if ('code' in lock) return lock;
  const list = book.newList(r.symbol, listClientOrderId);
  // Binance lists the below order first (rest-api.md's example response).
  const b = book.add(r.symbol, list.orderListId, belowId ?? book.generatedClientId(), side, belowType, below, lock);
  const a = book.add(r.symbol, list.orderListId, aboveId ?? book.generatedClientId(), side, aboveType, above, lock);
  list.orderIds = [b.orderId, a.orderId];
  return { list, orders: [b, a] };
}
