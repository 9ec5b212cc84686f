/**
 * The Trading API's request budget: content/api-references/trading-api/_index.md, "Rate Limit":
 * "When it is exceeded, the API server returns error response with HTTP status code 429. The
 * rate limit is 200 requests every minute per API key." The window's exact shape is not
 * documented: this server counts the requests of the last 60 s (a sliding window, the strictest
 * reading: no burst of 200 at the end of one minute and 200 more at the start of the next).
 * Headers, as https://docs.alpaca.markets/docs/rate-limits lists them: X-RateLimit-Limit,
 * X-RateLimit-Remaining, X-RateLimit-Reset (unix seconds at which a request is allowed again).
 */
export interface RateLimit {
  requests: number;
  windowMs: number;
}

export const ALPACA_RATE_LIMIT: RateLimit = { requests: 200, windowMs: 60_000 };

export class RequestWindow {
  private readonly times: number[] = [];
  /** Requests answered 429. */
  refused = 0;

  constructor(public limit: RateLimit = ALPACA_RATE_LIMIT) {}

  /** Counts a request: whether it is within the budget, and the X-RateLimit-* headers of the answer. */
  take(now = Date.now()): { allowed: boolean; headers: Record<string, string> } {
    while (this.times.length && (this.times[0] ?? 0) <= now - this.limit.windowMs) this.times.shift();
    const allowed = this.times.length < this.limit.requests;
    if (allowed) this.times.push(now);
    else this.refused++;
    const resetMs = (this.times[0] ?? now) + this.limit.windowMs;
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit': String(this.limit.requests),
        'X-RateLimit-Remaining': String(this.limit.requests - this.times.length),
        'X-RateLimit-Reset': String(Math.ceil(resetMs / 1000)),
      },
    };
  }

  /** Requests counted in the current window. */
  get used(): number {
    const now = Date.now();
    return this.times.filter((t) => t > now - this.limit.windowMs).length;
  }
}
