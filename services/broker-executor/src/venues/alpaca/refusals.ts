/**
 * Alpaca's refusals, each read as a precise code of the error table with a sentence that says
 * what happened, Alpaca's own words kept beside it.
 *
 * Alpaca's documented codes are coarse (orders.yaml: 403 for buying power or shares, 422 for
 * input; 40310000 and 42210000 cover many causes), so the message tells them apart. Messages as
 * Alpaca sends them: content/trading/orders.md (sub-penny: "invalid limit_price 290.123.
 * sub-penny increment does not fulfill minimum pricing criteria"), fractional-trading.md
 * ("requested asset is not fractionable"), alpacahq/alpaca-trade-api-csharp#247 ("insufficient
 * qty available for order"), Petersoj/alpaca-java#145 and forum.alpaca.markets/t/13817
 * ("potential wash trade detected. use complex orders", seen both as 422 42210000 and as 403
 * 40310000), kzhdev/alpaca_zorro_plugin#12 ("cannot open a long buy while a short sell order is
 * open"), alpacahq/alpaca-py#225 ("insufficient buying power"), alpacahq/alpaca-py#391 (401
 * "request is not authorized"). A message none of these patterns knows stays BROKER_ERROR, in
 * Alpaca's words.
 */
import type { ErrorCode } from '@utm/contracts';

export type RefusalCode = Exclude<ErrorCode, 'BROKER_UNAVAILABLE'>;

interface Pattern {
  test: RegExp;
  code: RefusalCode;
  what: string;
}

const PATTERNS: Pattern[] = [
  {
    test: /insufficient (qty|quantity) available|insufficient balance for/i,
    code: 'INSUFFICIENT_QTY',
    what: 'the position is held by another working order at Alpaca (one closing order per share), or the order exceeds it',
  },
  { test: /wash trade/i, code: 'WASH_TRADE', what: 'an order on the other side of this symbol is working at Alpaca' },
  {
    test: /cannot open a (long buy|short sell) while|would flip|flip your position/i,
    code: 'OPPOSITE_ORDER_OPEN',
    what: 'an order on the other side is working, or the order would flip the position',
  },
  {
    test: /sold short|not shortable|hard to borrow|easy.to.borrow|short sell(ing)? (is )?not (allowed|permitted)/i,
    code: 'NOT_SHORTABLE',
    what: 'Alpaca does not sell this short',
  },
  { test: /not fractionable/i, code: 'NOT_FRACTIONABLE', what: 'Alpaca takes whole quantities only for this symbol' },
  {
    test: /sub-penny|minimum pricing criteria|price_increment/i,
    code: 'PRICE_INCREMENT',
    what: "a price is not on Alpaca's tick",
  },
  {
    test: /stop_price must|stop price must|base price/i,
    code: 'STOP_PRICE_REFUSED',
    what: 'the stop price is too close to the market or to the take profit',
  },
  { test: /buying power/i, code: 'INSUFFICIENT_BUYING_POWER', what: 'not enough buying power at Alpaca' },
  {
    test: /min_order_size|min_trade_increment|qty must be/i,
    code: 'QUANTITY_INCREMENT',
    what: "the quantity is below Alpaca's minimum or off its increment",
  },
  {
    test: /not tradable|not active|asset .*not found|could not find asset/i,
    code: 'ASSET_NOT_TRADABLE',
    what: 'Alpaca does not trade this symbol now',
  },
  {
    test: /time_in_force|order type|order_class|fractional orders must|must be (day|market)|not supported/i,
    code: 'ORDER_NOT_SUPPORTED',
    what: 'Alpaca does not take this order type or time in force here',
  },
  {
    test: /pattern day|day trad|trade denied|blocked|restricted|not (authorized|permitted) to trade/i,
    code: 'ACCOUNT_RESTRICTED',
    what: 'the Alpaca account may not trade this now',
  },
];

/** The code and sentence for a refusal Alpaca answered with `status` and `message`. */
export function classifyRefusal(status: number, message: string | null): { code: RefusalCode; message: string } {
  const words = message ?? `HTTP ${status}`;
  if (status === 401) return { code: 'BROKER_AUTH_FAILED', message: `Alpaca refused the account's keys: ${words}` };
  if (status === 404) return { code: 'BROKER_ERROR', message: words };
  const hit = message ? PATTERNS.find((p) => p.test.test(message)) : undefined;
  if (!hit) return { code: 'BROKER_ERROR', message: words };
  return { code: hit.code, message: `Alpaca refused the order: ${hit.what} (Alpaca: "${words}")` };
}
