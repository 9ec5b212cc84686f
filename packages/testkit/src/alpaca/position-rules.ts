/**
 * What POST /v2/orders refuses because of the account's position and its other working orders.
 * Sources (alpacahq/alpaca-docs unless a URL is given):
 *
 * - Reserved shares. content/trading/orders.md, "Bracket Orders": "even if you had an open
 *   position, you would not be able to submit two conditional closing orders since Alpaca's
 *   system would view one of the two orders as exceeding the available position quantity.
 *   Bracket orders address both of these issues, as Alpaca's system recognizes the entry and exit
 *   orders as a group": the open orders of one group (an OCO, a bracket's legs) hold the shares
 *   once. The refusal: 403 {"code": 40310000, "message": "insufficient qty available for order
 *   (requested: 10, available: 0)"} (alpacahq/alpaca-trade-api-csharp#247: a sell sent right after
 *   cancelling the orders that held the shares is refused until the cancels are done). A cancel
 *   frees the shares only once final: an order in pending_cancel still holds them.
 * - Flips. content/api-references/trading-api/_index.md, "Notes on Orders and Positions": "an order
 *   that would flip your position in that stock from long to short or short to long is not
 *   supported and will return a 403"; "if you have no position in a stock, but you have a pending
 *   short sell (buy) order, you will not be permitted to submit a buy (sell) order" (403; wording
 *   "cannot open a long buy while a short sell order is open": kzhdev/alpaca_zorro_plugin#12).
 * - Short sales. Same page: a sell when flat or short is a short sale; "you are only allowed to
 *   short easy-to-borrow assets ... rejected with a 403 Forbidden status if the asset being sold
 *   is hard to borrow or not shortable at all". content/trading/fractional-trading.md: "We do not
 *   support short sales in fractional orders". content/trading/crypto-trading.md:
 *   "Cryptocurrencies are not shortable" (a crypto sell beyond the balance: 403 "insufficient
 *   balance for BTC (requested: …, available: …)", as users report it).
 * - Wash trades. An order opposite one of the account's open orders in the same symbol:
 *   "potential wash trade detected. use complex orders" — 422 42210000 in Petersoj/alpaca-java#145,
 *   403 40310000 in forum.alpaca.markets/t/13817 (a market buy while a limit sell is pending);
 *   Alpaca's answer on the forum (t/18200): it rejects "any order where there is an existing open
 *   order having the opposite side". Bracket legs still `held` (waiting for their entry) are not
 *   working and do not count.
 * - Buying power: 403 40310000 "insufficient buying power" (orders.yaml 403; alpacahq/alpaca-py#225),
 *   checked here only when the order's value is known (a limit or stop price, or a last price).
 */
import { Decimal } from '@utm/db';
import type { ServerAsset } from './assets';
import { refuse, type ParsedOrder, type Refusal } from './entry-rules';

/** An order as the rules here see it. */
export interface WorkingOrder {
  id: string;
  side: 'buy' | 'sell';
  status: string;
  qty: Decimal;
  filled_qty: Decimal;
  parentId: string | null;
  replaces: string | null;
}

export interface PositionView {
  /** Signed (negative: short). */
  position: Decimal;
  /** The symbol's open orders (not filled, canceled, expired, rejected or replaced). */
  open: WorkingOrder[];
  cash: Decimal;
  market: Decimal | null;
}

const forbidden = (message: string): Refusal => refuse(403, 40310000, message);

/** Orders that work at the venue: not a bracket leg waiting for its entry, not a replacement still on its way. */
export const working = (o: WorkingOrder): boolean =>
  o.status !== 'held' && !(o.status === 'pending_new' && o.replaces !== null);

/**
 * What the open orders on `side` hold of the position: each group (an order and its legs)
 * once, at its largest remaining quantity. `except`: a group left out (the order being replaced).
 */
export function reserved(open: WorkingOrder[], side: 'buy' | 'sell', except: string | null = null): Decimal {
  const groups = new Map<string, Decimal>();
  for (const o of open) {
    if (o.side !== side || !working(o)) continue;
    const group = o.parentId ?? o.id;
    if (group === except) continue;
    const rest = o.qty.minus(o.filled_qty);
    groups.set(group, Decimal.max(groups.get(group) ?? new Decimal(0), rest));
  }
  return [...groups.values()].reduce((a, b) => a.plus(b), new Decimal(0));
}

/** A closing order's quantity against what is held and not reserved (also used by a replace). */
export function closingRefusal(
  view: PositionView,
  side: 'buy' | 'sell',
  qty: Decimal,
  asset: ServerAsset,
  except: string | null = null,
): Refusal | null {
  const held = side === 'sell' ? view.position : view.position.neg();
  const available = Decimal.max(held.minus(reserved(view.open, side, except)), 0);
  if (qty.lte(available)) return null;
  const base = asset.symbol.split('/')[0];
  return asset.class === 'crypto'
    ? forbidden(`insufficient balance for ${base} (requested: ${qty.toFixed()}, available: ${available.toFixed()})`)
    : forbidden(
        `insufficient qty available for order (requested: ${qty.toFixed()}, available: ${available.toFixed()})`,
      );
}

export function positionRefusal(o: ParsedOrder, asset: ServerAsset, view: PositionView): Refusal | null {
  const opposite = view.open.filter((x) => x.side !== o.side && working(x));
  const flat = view.position.isZero();
  // Reduces the position held (a sell of a long, a buy of a short)?
  const closing = o.side === 'sell' ? view.position.gt(0) : view.position.lt(0);
  if (flat && opposite.length) {
    return forbidden(
      o.side === 'buy'
        ? 'cannot open a long buy while a short sell order is open'
        : 'cannot open a short sell while a long buy order is open',
    );
  }
  if (opposite.length) return refuse(422, 42210000, 'potential wash trade detected. use complex orders');
  if (closing || (asset.class === 'crypto' && o.side === 'sell')) {
    const bad = closingRefusal(view, o.side, o.qty, asset);
    if (bad || closing) return bad;
  }
  if (o.side === 'sell') {
    if (!asset.shortable || !asset.easy_to_borrow) return forbidden(`asset ${asset.symbol} cannot be sold short`);
    if (!o.qty.isInteger()) return forbidden('fractional orders cannot be sold short');
  }
  const price = o.limit ?? o.stop ?? view.market?.toFixed() ?? null;
  if (price !== null && o.qty.times(price).gt(view.cash)) return forbidden('insufficient buying power');
  return null;
}
