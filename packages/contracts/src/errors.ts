/**
 * Every error of the platform has one string code. This table is the one place that says
 * what each code means for HTTP (when returned synchronously), for a signal's status (when
 * it ends a signal), and whether the failure is worth retrying.
 */
export type SignalOutcome = 'REJECTED' | 'FAILED' | 'CANCELLED' | 'EXPIRED';

interface ErrorSpec {
  http: number;
  /** The terminal status of a signal that ends with this code. */
  signal: SignalOutcome;
  /** Transient failures are retried with backoff; the rest are final. */
  retryable: boolean;
}

const REJECT = (http = 422): ErrorSpec => ({ http, signal: 'REJECTED', retryable: false });
const VENUE_REFUSED: ErrorSpec = { http: 502, signal: 'FAILED', retryable: false };

export const ERROR_CODES = {
  // Ingest (synchronous) errors: the ingest table of docs/contract.md.
  VALIDATION_ERROR: REJECT(400),
  INVALID_API_KEY: REJECT(401),
  ACCOUNT_NOT_FOUND: REJECT(404),
  SIGNAL_NOT_FOUND: REJECT(404),
  NOT_FOUND: REJECT(404),
  IDEMPOTENCY_CONFLICT: REJECT(409),
  PAYLOAD_TOO_LARGE: REJECT(413),
  UNSUPPORTED_MEDIA_TYPE: REJECT(415),
  MODE_MISMATCH: REJECT(422),
  RATE_LIMIT_EXCEEDED: REJECT(429),
  SERVICE_UNAVAILABLE: { http: 503, signal: 'FAILED', retryable: true },
  INTERNAL_ERROR: { http: 500, signal: 'FAILED', retryable: true },
  // The gateway's admin pages (/admin/queues): never a signal's outcome.
  INVALID_ADMIN_TOKEN: REJECT(401),
  CROSS_SITE_REQUEST: REJECT(403),
  // Rule refusals while processing a signal: final, the signal is REJECTED.
  POSITION_CONFLICT: REJECT(),
  NO_POSITION: REJECT(),
  NO_PRICE: REJECT(),
  ZERO_QUANTITY: REJECT(),
  INSUFFICIENT_BUYING_POWER: REJECT(),
  MAX_ORDER_NOTIONAL: REJECT(),
  MAX_POSITION: REJECT(),
  SYMBOL_NOT_ALLOWED: REJECT(),
  ACCOUNT_HALTED: REJECT(),
  REDUCE_ONLY: REJECT(),
  INVALID_EXIT_RULE: REJECT(),
  // A crypto exchange's spot market (ccxt): the order's value under the instrument's minimum
  // notional (Binance NOTIONAL / MIN_NOTIONAL), found before sending; not enough of an asset to pay
  // for a buy or deliver a sell (Binance -2010), answered by the venue.
  MIN_NOTIONAL: REJECT(),
  INSUFFICIENT_BALANCE: VENUE_REFUSED,
  /** setPosition: the position already is the target. */
  ALREADY_AT_TARGET: REJECT(),
  /** Decided more than the account's maxSignalAgeSeconds after the signal's sentAt. */
  STALE_SIGNAL: REJECT(),
  // What a venue does not take, known before the signal's orders exist (from its documented
  // rules and what it says of the instrument): REJECTED, with the venue's reason. The same code
  // found by the executor or answered by the venue once the order exists ends the signal FAILED
  // (lifecycles.ts: an order that was decided and refused at execution).
  NOT_SHORTABLE: REJECT(),
  WASH_TRADE: REJECT(),
  ORDER_NOT_SUPPORTED: REJECT(),
  EXITS_NOT_SUPPORTED: REJECT(),
  ASSET_NOT_TRADABLE: REJECT(),
  NOT_FRACTIONABLE: REJECT(),
  QUANTITY_INCREMENT: REJECT(),
  // Refusals only the venue gives, at execution: the order could not be executed.
  INSUFFICIENT_QTY: { http: 409, signal: 'FAILED', retryable: false },
  OPPOSITE_ORDER_OPEN: { http: 409, signal: 'FAILED', retryable: false },
  PRICE_INCREMENT: { http: 422, signal: 'FAILED', retryable: false },
  STOP_PRICE_REFUSED: { http: 422, signal: 'FAILED', retryable: false },
  ACCOUNT_RESTRICTED: { http: 403, signal: 'FAILED', retryable: false },
  BROKER_AUTH_FAILED: { http: 502, signal: 'FAILED', retryable: false },
  // Execution.
  BROKER_ERROR: { http: 502, signal: 'FAILED', retryable: false },
  BROKER_UNAVAILABLE: { http: 503, signal: 'FAILED', retryable: true },
  RETRIES_EXHAUSTED: { http: 500, signal: 'FAILED', retryable: false },
  ORDER_CANCELLED: { http: 409, signal: 'CANCELLED', retryable: false },
  ORDER_EXPIRED: { http: 409, signal: 'EXPIRED', retryable: false },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface ErrorDetail {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: ErrorDetail[];
  /** Extra headers for HTTP (e.g. Retry-After). */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { details?: ErrorDetail[]; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    if (opts.details) this.details = opts.details;
    if (opts.headers) this.headers = opts.headers;
  }

  get httpStatus(): number {
    return httpStatusOf(this.code);
  }

  get retryable(): boolean {
    return ERROR_CODES[this.code].retryable;
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

export function httpStatusOf(code: ErrorCode): number {
  return ERROR_CODES[code].http;
}

export function signalStatusOf(code: ErrorCode): SignalOutcome {
  return ERROR_CODES[code].signal;
}

export function isRetryable(err: unknown): boolean {
  return err instanceof AppError ? err.retryable : true;
}

/** The error body of every refusal: `{success: false, error, message, details?}`. */
export interface ErrorBody {
  success: false;
  error: ErrorCode;
  message: string;
  details?: ErrorDetail[];
}

export function errorBody(err: AppError): ErrorBody {
  return { success: false, error: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) };
}
