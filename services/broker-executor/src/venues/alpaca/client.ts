/**
 * A small REST client for Alpaca's Trading API v2 over fetch.
 *
 * Sources:
 * - Authentication headers APCA-API-KEY-ID / APCA-API-SECRET-KEY, paper vs live domains:
 *   https://alpaca.markets/deprecated/docs/api-documentation/api-v2 ("Authentication", "Paper Trading")
 * - Error statuses (403 buying power, 422 unrecognised input, 404 not found, DELETE 422 not
 *   cancelable): https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml
 * - Error body {"code": 40310000, "message": "insufficient buying power"}, seen in
 *   https://github.com/alpacahq/alpaca-py/issues/225
 * - 429 and X-RateLimit-Reset (unix seconds): https://docs.alpaca.markets/docs/rate-limits
 *   Alpaca documents X-RateLimit-Reset, not Retry-After. We honour Retry-After first (any proxy
 *   may send it) and fall back to X-RateLimit-Reset on a 429.
 *
 * The credentials go in headers only. They are never logged and never part of an error
 * message: every message passes through redact() in case a proxy echoes a header back.
 */
import type { AlpacaCredentials } from '@utm/security';
import { BrokerError } from '../broker/types';
import { parseJsonText } from './json';
import { classifyRefusal } from './refusals';
import type { RequestBudget, RequestPriority } from './request-budget';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Bound on the time spent waiting between attempts of one call. */
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 250, maxDelayMs: 4000, maxTotalWaitMs: 10_000 };

export interface AlpacaClientOptions {
  /** https://paper-api.alpaca.markets or https://api.alpaca.markets, per the account's mode. */
  baseUrl: string;
  credentials: AlpacaCredentials;
  /** Bound on one HTTP call, response body included. */
  timeoutMs: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  retry?: Partial<RetryPolicy>;
  /** The account's request budget, shared with its other clients; none: unmetered. */
  budget?: RequestBudget;
  /** What this client's requests are for (default trade): placement goes first. */
  priority?: RequestPriority;
}

export interface AlpacaResponse {
  status: number;
  body: unknown;
  headers?: Headers;
}

export interface RequestOptions {
  query?: Record<string, string>;
  body?: unknown;
}

/** Codes that prove the connection never opened, so the request cannot have reached Alpaca. */
const NEVER_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Retry-After as seconds or an HTTP date; else, on a 429, X-RateLimit-Reset (unix seconds). */
export function retryAfterMs(headers: Headers, status: number, now = Date.now()): number | undefined {
  const ra = headers.get('retry-after')?.trim();
  if (ra) {
    if (/^\d+(\.\d+)?$/.test(ra)) return Math.ceil(Number(ra) * 1000);
    const at = Date.parse(ra);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (status === 429 && reset && /^\d+$/.test(reset)) return Math.max(0, Number(reset) * 1000 - now);
  return undefined;
}

export class AlpacaClient {
  readonly sleep: (ms: number) => Promise<void>;
  readonly retry: RetryPolicy;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly opts: AlpacaClientOptions) {
    this.fetchFn = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? defaultSleep;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
  }

  /** Removes the credentials from any text that could reach a log or an error message. */
  redact(text: string): string {
    let out = text;
    for (const secret of [this.opts.credentials.secretKey, this.opts.credentials.keyId]) {
      if (secret.length > 0) out = out.split(secret).join('[redacted]');
    }
    return out;
  }

  /** One attempt, never retried, once the budget allows. Non-2xx answers and transport failures throw BrokerError. */
  async send(method: HttpMethod, path: string, opts: RequestOptions = {}): Promise<AlpacaResponse> {
    const budget = this.opts.budget;
    if (!budget) return this.sendNow(method, path, opts);
    return budget.run(this.opts.priority ?? 'trade', () => this.sendNow(method, path, opts));
  }

  private async sendNow(method: HttpMethod, path: string, opts: RequestOptions): Promise<AlpacaResponse> {
    // Joined, not resolved: a base URL with a path prefix (a proxy) keeps it.
    const url = new URL(
      path.replace(/^\//, ''),
      this.opts.baseUrl.endsWith('/') ? this.opts.baseUrl : `${this.opts.baseUrl}/`,
    );
    for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
    const headers: Record<string, string> = {
      'APCA-API-KEY-ID': this.opts.credentials.keyId,
      'APCA-API-SECRET-KEY': this.opts.credentials.secretKey,
      Accept: 'application/json',
    };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    const ctrl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl.abort();
    }, this.opts.timeoutMs);
    let status: number;
    let resHeaders: Headers;
    let text: string;
    try {
      const res = await this.fetchFn(url, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: ctrl.signal,
        // fetch would follow a redirect with our headers, secret included, to wherever it
        // points. Alpaca's API does not redirect: a 3xx is answered as an error instead.
        redirect: 'manual',
      });
      status = res.status;
      resHeaders = res.headers;
      // The timer still runs: a server that sends headers and then stalls the body is bounded too.
      text = await res.text();
    } catch (err) {
      throw this.transportError(method, path, err, timedOut);
    } finally {
      clearTimeout(timer);
    }
    const body = parseJsonText(text);
    if (status >= 200 && status < 300) return { status, body, headers: resHeaders };
    throw this.httpError(method, path, status, body, resHeaders);
  }

  /** GET with bounded retries on BROKER_UNAVAILABLE (GETs are safe to repeat). */
  get(path: string, query?: Record<string, string>): Promise<AlpacaResponse> {
    return this.withRetries(() => this.send('GET', path, { query }));
  }

  /**
   * Runs `attempt` until it succeeds, throws something other than BROKER_UNAVAILABLE, or the
   * policy is spent. Waits grow exponentially and are at least what Retry-After asked for; a
   * wait that would pass maxTotalWaitMs ends the retries (the error keeps retryAfterMs so the
   * caller's own retry can honour it).
   */
  async withRetries<T>(attempt: (n: number) => Promise<T>): Promise<T> {
    let waited = 0;
    for (let n = 0; ; n++) {
      try {
        return await attempt(n);
      } catch (err) {
        if (!(err instanceof BrokerError) || err.code !== 'BROKER_UNAVAILABLE' || n + 1 >= this.retry.attempts)
          throw err;
        const backoff = Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** n);
        const delay = Math.max(backoff, err.retryAfterMs ?? 0);
        if (waited + delay > this.retry.maxTotalWaitMs) throw err;
        waited += delay;
        await this.sleep(delay);
      }
    }
  }

  private transportError(method: HttpMethod, path: string, err: unknown, timedOut: boolean): BrokerError {
    const code = errorCode(err);
    // GET is idempotent. Anything else may have reached Alpaca unless the connection provably
    // never opened: then it is `uncertain` and the caller must ask before doing it again.
    const uncertain = method !== 'GET' && (timedOut || code === undefined || !NEVER_SENT.has(code));
    const what = timedOut
      ? `timed out after ${this.opts.timeoutMs} ms`
      : `failed (${code ?? (err instanceof Error ? err.message : String(err))})`;
    const tail = uncertain ? '; it may have taken effect' : '';
    return new BrokerError('BROKER_UNAVAILABLE', this.redact(`Alpaca ${method} ${path} ${what}${tail}`), {
      uncertain,
      cause: err,
    });
  }

  private httpError(method: HttpMethod, path: string, status: number, body: unknown, headers: Headers): BrokerError {
    const alpacaMessage =
      typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string'
        ? (body as { message: string }).message
        : null;
    if (status === 429 || status >= 500) {
      const message = this.redact(
        `Alpaca ${method} ${path} answered ${status}${alpacaMessage ? `: ${alpacaMessage}` : ''}`,
      );
      // A 5xx on anything but a GET may come after the work was done (a gateway error after
      // the order was created): uncertain. A 429 is refused before it is processed.
      return new BrokerError('BROKER_UNAVAILABLE', message, {
        status,
        retryAfterMs: retryAfterMs(headers, status),
        uncertain: status >= 500 && method !== 'GET',
      });
    }
    // Other statuses are Alpaca's final word (403 buying power or shares, 422 invalid or
    // duplicate, 404, 401 wrong keys): a precise code where its words say why, its words kept.
    const refusal = classifyRefusal(status, alpacaMessage ?? `Alpaca ${method} ${path} answered ${status}`);
    return new BrokerError(refusal.code, this.redact(refusal.message), { status, alpacaMessage });
  }
}
