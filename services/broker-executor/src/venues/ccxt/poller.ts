import type { BrokerOrderUpdate } from '../broker/types';
import type { CcxtBroker } from './ccxt-broker';

export interface CcxtPollerOptions {
  intervalMs: number;
}

/**
 * Order updates by polling: every interval, each of our orders still open at the exchange is
 * read again (Binance: GET /api/v3/order, weight 4) and reported when its status or filled
 * quantity changed. The executor records fills from the cumulative filled quantity, so a poll
 * that repeats what reconciliation already saw records nothing twice. Orders are watched from
 * their placement or from any lookup (reconciliation at start-up finds those of an earlier
 * process). Binance's user data stream would report sooner; polling is what every ccxt exchange
 * supports.
 */
export class CcxtPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly updateCbs = new Set<(u: BrokerOrderUpdate) => void>();
  private readonly errorCbs = new Set<(err: Error) => void>();

  constructor(
    private readonly broker: CcxtBroker,
    private readonly opts: CcxtPollerOptions,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  onUpdate(cb: (u: BrokerOrderUpdate) => void): () => void {
    this.updateCbs.add(cb);
    return () => this.updateCbs.delete(cb);
  }

  onError(cb: (err: Error) => void): () => void {
    this.errorCbs.add(cb);
    return () => this.errorCbs.delete(cb);
  }

  /** One pass now (tests, and the timer). */
  async pollOnce(): Promise<number> {
    const changed = await this.broker.poll();
    for (const order of changed) for (const cb of this.updateCbs) cb({ order, fill: null });
    return changed.length;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pollOnce()
        .then(
          () => undefined,
          (err: unknown) => {
            for (const cb of this.errorCbs) cb(err instanceof Error ? err : new Error(String(err)));
          },
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.opts.intervalMs);
    this.timer.unref();
  }
}
