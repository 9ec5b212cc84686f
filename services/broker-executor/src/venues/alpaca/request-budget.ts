/**
 * One Alpaca account's request budget, shared by everything that calls Alpaca for it: placing
 * and cancelling (trade), the updates' polling (poll) and reconciliation (reconcile).
 *
 * Alpaca allows 200 requests a minute per API key and answers 429 past it
 * (alpacahq/alpaca-docs content/api-references/trading-api/_index.md, "Rate Limit"). How the
 * minute is counted is not documented, so the budget keeps to the strictest reading: never more
 * than `perMinute` requests in ANY window of `windowMs`. It is a bucket of `perMinute` tokens in
 * which each token spent comes back one window after it was spent (a bucket refilled at a steady
 * rate would allow twice the limit in a window that starts full: the first 200 at once, then the
 * refill).
 *
 * A token is counted from when its request ended (its answer came back, or it failed), not
 * from when it left: the request reached Alpaca somewhere in between, and Alpaca counts it from
 * then.
 *
 * Placement first: waiting requests are served trade before poll before reconcile, and polling
 * and reconciliation never take the last `reserve` tokens, so an order to place does not queue
 * behind a reconciliation pass. (Priorities and a reserve are not what rate-limiter-flexible's
 * queue does, hence this small one.)
 */
export type RequestPriority = 'trade' | 'poll' | 'reconcile';

const RANK: Record<RequestPriority, number> = { trade: 0, poll: 1, reconcile: 2 };

export interface RequestBudgetOptions {
  /** Requests per window at most (Alpaca: 200 a minute). */
  perMinute?: number;
  /** The window (default one minute; shorter in tests). */
  windowMs?: number;
  /** Tokens only trade requests may take (default a tenth). */
  reserve?: number;
  now?: () => number;
}

interface Waiter {
  rank: number;
  seq: number;
  resolve: (token: { at: number }) => void;
}

export class RequestBudget {
  readonly perMinute: number;
  readonly windowMs: number;
  readonly reserve: number;
  /** The tokens in use: when each one's request ended (+Infinity while it is under way). */
  private spent: { at: number }[] = [];
  private seq = 0;
  private readonly waiting: Waiter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly now: () => number;
  /** Requests granted so far, by priority (for tests and metrics). */
  readonly granted: Record<RequestPriority, number> = { trade: 0, poll: 0, reconcile: 0 };

  constructor(opts: RequestBudgetOptions = {}) {
    this.perMinute = Math.max(1, opts.perMinute ?? 200);
    this.windowMs = opts.windowMs ?? 60_000;
    this.reserve = Math.min(opts.reserve ?? Math.floor(this.perMinute / 10), this.perMinute - 1);
    this.now = opts.now ?? Date.now;
  }

  /** Resolves when the request may go, with the function to call when it has ended. */
  take(priority: RequestPriority): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({
        rank: RANK[priority],
        seq: this.seq++,
        resolve: (token) => {
          this.granted[priority]++;
          resolve(() => this.settle(token));
        },
      });
      this.pump();
    });
  }

  /** Runs `request` within the budget. */
  async run<T>(priority: RequestPriority, request: () => Promise<T>): Promise<T> {
    const done = await this.take(priority);
    try {
      return await request();
    } finally {
      done();
    }
  }

  private settle(token: { at: number }): void {
    token.at = this.now();
    this.pump();
  }

  /** Requests waiting for a token. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Tokens in the bucket now. */
  get available(): number {
    this.expire(this.now());
    return this.perMinute - this.spent.length;
  }

  private expire(now: number): void {
    this.spent = this.spent.filter((t) => t.at > now - this.windowMs);
  }

  private pump(): void {
    const now = this.now();
    this.expire(now);
    this.waiting.sort((a, b) => a.rank - b.rank || a.seq - b.seq);
    for (;;) {
      const next = this.waiting[0];
      if (!next) return;
      const need = 1 + (next.rank > 0 ? this.reserve : 0);
      if (this.perMinute - this.spent.length < need) return this.wake(now, need);
      // Under way: counted until it ends, and a window after that.
      const token = { at: Infinity };
      this.spent.push(token);
      this.waiting.shift();
      next.resolve(token);
    }
  }

  /** Pumps again when enough tokens have come back for the first waiter (or when a request ends). */
  private wake(now: number, need: number): void {
    if (this.timer) clearTimeout(this.timer);
    const sorted = this.spent.map((t) => t.at).sort((a, b) => a - b);
    const back = sorted[this.spent.length - (this.perMinute - need + 1)] ?? now;
    if (!Number.isFinite(back)) return; // requests under way: their end pumps again
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.pump();
      },
      Math.max(1, back + this.windowMs - now),
    );
  }
}
