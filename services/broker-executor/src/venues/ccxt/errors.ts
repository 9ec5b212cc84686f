/**
 * What a ccxt call's failure means for our order, as a BrokerError with its precise code.
 *
 * The exchange's own answer decides when there is one: ccxt turns some refusals into an error
 * carrying only the exchange's message, so exchange.ts keeps the response body on the error
 * (`body`). Binance spot answers {"code", "msg"} (binance-spot-api-docs errors.md):
 * - -1013 with "Filter failure: PRICE_FILTER | LOT_SIZE | MARKET_LOT_SIZE | MIN_NOTIONAL | NOTIONAL"
 *   → PRICE_INCREMENT, QUANTITY_INCREMENT, MIN_NOTIONAL;
 * - -2010 NEW_ORDER_REJECTED with "Account has insufficient balance…" → INSUFFICIENT_BALANCE,
 *   "Order would trigger immediately." / "Order would immediately match and take." / "The
 *   relationship of the prices for the orders is not correct." → STOP_PRICE_REFUSED, "Market is
 *   closed." → ASSET_NOT_TRADABLE, "… orders are not supported for this symbol." →
 *   ORDER_NOT_SUPPORTED, "Duplicate order sent." → duplicate (resolved by lookup);
 * - -2011 CANCEL_REJECTED / -2013 NO_SUCH_ORDER "Unknown order sent." / "Order does not exist."
 *   → not found (status 404);
 * - -1121 BAD_SYMBOL → ASSET_NOT_TRADABLE; -2014, -2015, -1022 (key or signature) → BROKER_AUTH_FAILED;
 * - -1021 INVALID_TIMESTAMP → the clock (resynchronised, then sent again: the request was refused
 *   before it was processed, rest-api.md "Timing security");
 * - -1007 TIMEOUT "Send status unknown; execution status unknown", and every HTTP 5XX ("the
 *   execution status is UNKNOWN", rest-api.md "HTTP Return Codes") → uncertain;
 * - HTTP 429 / 418 → BROKER_UNAVAILABLE after Retry-After (ccxt: DDoSProtection).
 * Without such an answer, ccxt's error class decides (NetworkError: uncertain for a request that
 * changes something; AuthenticationError, InsufficientFunds, InvalidOrder, BadSymbol: final).
 */
import ccxt from 'ccxt';
import type { ErrorCode } from '@utm/contracts';
import { BrokerError } from '../broker/types';

export interface ExchangeAnswer {
  code: number;
  msg: string;
}

/** The exchange's {code, msg} carried by a ccxt error, if any. */
export function exchangeAnswer(err: unknown): ExchangeAnswer | null {
  const body = (err as { body?: unknown } | null)?.body;
  const text = typeof body === 'string' ? body : err instanceof Error ? err.message : '';
  const json = /\{.*\}/s.exec(text)?.[0];
  if (!json) return null;
  try {
    const parsed = JSON.parse(json) as { code?: unknown; msg?: unknown };
    return typeof parsed.code === 'number' && typeof parsed.msg === 'string'
      ? { code: parsed.code, msg: parsed.msg }
      : null;
  } catch {
    return null;
  }
}

export type Failure =
  | { kind: 'refused'; reason: ErrorCode; message: string }
  | { kind: 'notFound'; message: string }
  | { kind: 'duplicate'; message: string }
  | { kind: 'clock'; message: string }
  | { kind: 'unavailable'; uncertain: boolean; retryAfterMs?: number; message: string };

const FILTERS: [RegExp, ErrorCode][] = [
  [/PRICE_FILTER|PERCENT_PRICE/, 'PRICE_INCREMENT'],
  [/LOT_SIZE/, 'QUANTITY_INCREMENT'],
  [/NOTIONAL/, 'MIN_NOTIONAL'],
];

const REJECTIONS: [RegExp, ErrorCode][] = [
  [/insufficient balance/i, 'INSUFFICIENT_BALANCE'],
  [/would trigger immediately|would immediately match|relationship of the prices/i, 'STOP_PRICE_REFUSED'],
  [/market is closed/i, 'ASSET_NOT_TRADABLE'],
  [/not supported for this symbol/i, 'ORDER_NOT_SUPPORTED'],
];

function fromAnswer(a: ExchangeAnswer): Failure | null {
  const message = a.msg;
  if (a.code === -1021) return { kind: 'clock', message };
  if (a.code === -2011 || a.code === -2013) return { kind: 'notFound', message };
  if (a.code === -1007 || a.code === -1000) return { kind: 'unavailable', uncertain: true, message };
  if (a.code === -1003 || a.code === -1008 || a.code === -1015)
    return { kind: 'unavailable', uncertain: false, message };
  if (a.code === -2014 || a.code === -2015 || a.code === -1022)
    return { kind: 'refused', reason: 'BROKER_AUTH_FAILED', message };
  if (a.code === -1121) return { kind: 'refused', reason: 'ASSET_NOT_TRADABLE', message };
  if (/duplicate order/i.test(message)) return { kind: 'duplicate', message };
  if (a.code === -1013)
    return { kind: 'refused', reason: FILTERS.find(([re]) => re.test(message))?.[1] ?? 'BROKER_ERROR', message };
  if (a.code === -2010)
    return { kind: 'refused', reason: REJECTIONS.find(([re]) => re.test(message))?.[1] ?? 'BROKER_ERROR', message };
  return null;
}

/** Classifies a failed call; `changes`: the call places or cancels (a GET is never uncertain). */
export function classify(err: unknown, changes: boolean): Failure {
  const http = (err as { httpStatus?: unknown } | null)?.httpStatus;
  const retryAfter = Number((err as { retryAfter?: unknown } | null)?.retryAfter);
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
  if (http === 429 || http === 418)
    return { kind: 'unavailable', uncertain: false, retryAfterMs, message: `rate limited (HTTP ${http})` };
  // "HTTP 5XX … the execution status is UNKNOWN and could have been a success" (rest-api.md).
  if (typeof http === 'number' && http >= 500)
    return { kind: 'unavailable', uncertain: changes, message: `HTTP ${http}: ${exchangeAnswer(err)?.msg ?? ''}` };
  const answer = exchangeAnswer(err);
  const known = answer ? fromAnswer(answer) : null;
  if (known) return known;
  const message = answer ? `${answer.msg} (code ${answer.code})` : err instanceof Error ? err.message : String(err);
  if (err instanceof ccxt.DDoSProtection) return { kind: 'unavailable', uncertain: false, message };
  if (err instanceof ccxt.OrderNotFound) return { kind: 'notFound', message };
  if (err instanceof ccxt.InvalidNonce) return { kind: 'clock', message };
  // Timeouts, resets, 5xx (ExchangeNotAvailable): the request may have been carried out.
  if (err instanceof ccxt.NetworkError) return { kind: 'unavailable', uncertain: changes, message };
  if (err instanceof ccxt.AuthenticationError || err instanceof ccxt.PermissionDenied)
    return { kind: 'refused', reason: 'BROKER_AUTH_FAILED', message };
  if (err instanceof ccxt.InsufficientFunds) return { kind: 'refused', reason: 'INSUFFICIENT_BALANCE', message };
  if (err instanceof ccxt.BadSymbol) return { kind: 'refused', reason: 'ASSET_NOT_TRADABLE', message };
  if (err instanceof ccxt.BaseError) return { kind: 'refused', reason: 'BROKER_ERROR', message };
  // Not ccxt's: a bug or a transport failure below it; whether it was sent is unknown.
  return { kind: 'unavailable', uncertain: changes, message };
}

/** The BrokerError for a failure, its message without the credentials. */
export function brokerError(f: Failure, venue: string, what: string, redact: (s: string) => string): BrokerError {
  const message = redact(`${venue} ${what}: ${f.message}`);
  switch (f.kind) {
    case 'refused':
      return new BrokerError(f.reason, message, { status: 400 });
    case 'notFound':
      return new BrokerError('BROKER_ERROR', message, { status: 404 });
    case 'duplicate':
      return new BrokerError('BROKER_ERROR', message, { status: 409 });
    case 'clock':
      return new BrokerError('BROKER_UNAVAILABLE', `${message} (clock out of the exchange's recvWindow)`);
    case 'unavailable':
      return new BrokerError('BROKER_UNAVAILABLE', f.uncertain ? `${message}; it may have taken effect` : message, {
        uncertain: f.uncertain,
        retryAfterMs: f.retryAfterMs,
      });
  }
}
