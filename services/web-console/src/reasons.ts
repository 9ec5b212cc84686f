/**
 * Why a signal ended REJECTED or FAILED, in plain words, by error code (see
 * @utm/contracts ERROR_CODES; test/unit/reasons.test.ts checks that every code that can end
 * a signal has words here). The API's own message, with its numbers, is shown beside them.
 */
export const PLAIN_REASONS: Record<string, string> = {
  NO_POSITION: 'There was no position to close: the account holds nothing on that side of this symbol.',
  POSITION_CONFLICT: 'The account holds the opposite position. Use reverseToLong or reverseToShort to flip it.',
  NO_PRICE: 'No market price was known to size the order. Send a reference price ("price") or set a quote.',
  ZERO_QUANTITY: 'The requested size came to zero units after rounding.',
  INSUFFICIENT_BUYING_POWER: 'The account does not have enough buying power (cash) for this order.',
  MAX_ORDER_NOTIONAL: "The order's value is above the account's limit per order.",
  MAX_POSITION: "The resulting position would be larger than the account's position limit.",
  SYMBOL_NOT_ALLOWED: 'This symbol is not on the list of symbols the account may trade.',
  ACCOUNT_HALTED: 'The account is halted: no signal is acted on until it is resumed.',
  REDUCE_ONLY: 'The account is in reduce-only mode: only signals that make a position smaller are accepted.',
  INVALID_EXIT_RULE: 'A stop loss, take profit or trailing stop could not be priced sensibly from the fill.',
  MIN_NOTIONAL: "The order's value is below the exchange's minimum (or above its maximum) for this symbol.",
  INSUFFICIENT_BALANCE: 'The exchange account does not hold enough of the asset to pay for or deliver this order.',
  ALREADY_AT_TARGET: 'The position already was the target position: there was nothing to buy or sell.',
  STALE_SIGNAL: "The signal was older than the account's maximum signal age (maxSignalAgeSeconds) when it was decided.",
  NOT_SHORTABLE: 'The broker does not sell this symbol short (not shortable, hard to borrow, crypto, or a fraction).',
  WASH_TRADE:
    "The broker refuses an order opposite one of the account's working orders in this symbol (a potential wash trade).",
  ORDER_NOT_SUPPORTED: 'The broker does not take this order type or time in force for this symbol.',
  EXITS_NOT_SUPPORTED: 'The broker cannot hold this combination of exits for one position, so nothing was placed.',
  ASSET_NOT_TRADABLE: 'The broker does not trade this symbol now.',
  NOT_FRACTIONABLE: 'The broker does not take fractional quantities of this symbol.',
  QUANTITY_INCREMENT:
    "The quantity is below the broker's minimum or not a multiple of its quantity step for this symbol.",
  INSUFFICIENT_QTY: 'The shares are held by another working order at the broker (one closing order per share).',
  OPPOSITE_ORDER_OPEN:
    'The broker refused it because an order on the other side was working, or it would flip the position.',
  PRICE_INCREMENT: "A price was not on the broker's tick for this symbol.",
  STOP_PRICE_REFUSED: "The broker refused the stop price (too close to the market or to the order's other price).",
  ACCOUNT_RESTRICTED:
    'The broker account may not trade this now (restricted, blocked, or pattern-day-trading protection).',
  BROKER_AUTH_FAILED: "The broker refused the account's credentials.",
  BROKER_ERROR: 'The broker refused the order.',
  BROKER_UNAVAILABLE: 'The broker could not be reached, and retrying did not help.',
  RETRIES_EXHAUSTED: 'Processing failed repeatedly and was given up. It can be re-driven with `utm signal retry`.',
  ORDER_CANCELLED: 'The order was cancelled before it filled.',
  ORDER_EXPIRED: 'The order expired before it filled (for example a DAY order at the session close).',
  SERVICE_UNAVAILABLE: 'A service the platform depends on was unavailable.',
  INTERNAL_ERROR: 'An unexpected internal error stopped the signal.',
  VALIDATION_ERROR: 'The signal was not valid.',
  ACCOUNT_NOT_FOUND: 'The account does not exist.',
  MODE_MISMATCH: "The signal's mode (PAPER/LIVE) does not match the account's.",
};

export function plainReason(code: string): string {
  return PLAIN_REASONS[code] ?? 'The platform refused or could not complete this signal.';
}
