/**
 * Polling for what the trade_updates stream did not say (it is down, or was until just now).
 *
 * Alpaca does not replay missed events after a reconnect, so a poll reads, per
 * https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml:
 * - GET /v2/orders?status=all&after=<window start − lookback>&nested=true: the orders submitted
 *   during the gap (`after` filters on submission time, exclusive);
 * - GET /v2/orders?status=open&nested=true: the ones still working;
 * - GET /v2/orders/{id}?nested=true for every order we know as open that neither list shows:
 *   it was submitted before the gap and finished during it.
 * Each change goes through the OrderTracker, which reports it once whoever sees it first.
 */
import type { BrokerOrderUpdate } from '../broker/types';
import type { AlpacaBroker } from './alpaca-broker';
import type { AlpacaOrder } from './mapping';
import type { OrderTracker } from './order-tracker';

export interface GapPollerHooks {
  emit(update: BrokerOrderUpdate): void;
  report(err: Error): void;
  now(): Date;
  /** The poll's window: orders submitted after this moment, less the lookback. */
  windowStart(): Date;
  stopped(): boolean;
}

export class GapPoller {
  private inFlight: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private seeded = false;

  constructor(
    private readonly broker: AlpacaBroker,
    private readonly tracker: OrderTracker,
    private readonly lookbackMs: number,
    private readonly hooks: GapPollerHooks,
  ) {}

  /**
   * One poll at a time; failures are reported and the next poll tries again. A poll asked for
   * while one runs is run after it (once): the running one may have read Alpaca too early.
   */
  poll(): Promise<void> {
    if (this.inFlight) {
      this.queued ??= this.inFlight.then(() => {
        this.queued = null;
        return this.poll();
      });
      return this.queued;
    }
    this.inFlight = this.pollOnce()
      .catch((err: unknown) => this.hooks.report(err instanceof Error ? err : new Error(String(err))))
      .finally(() => (this.inFlight = null));
    return this.inFlight;
  }

  /** Resolves when no poll runs or waits. */
  async settled(): Promise<void> {
    await this.queued;
    await this.inFlight;
  }

  private async pollOnce(): Promise<void> {
    const since = new Date(this.hooks.windowStart().getTime() - this.lookbackMs).toISOString();
    const [recent, open] = await Promise.all([
      this.broker.listOrders({ status: 'all', after: since }),
      this.broker.listOrders({ status: 'open' }),
    ]);
    const orders = new Map<string, AlpacaOrder>();
    for (const o of [...recent, ...open]) orders.set(o.id, o);
    const listed = new Set([...orders.values()].flatMap((o) => [o.id, ...o.legs.map((l) => l.id)]));
    for (const { id } of this.tracker.openOrders()) {
      if (listed.has(id)) continue;
      const o = await this.broker.getById(id);
      if (o) orders.set(o.id, o);
    }
    if (this.hooks.stopped()) return;
    const now = this.hooks.now();
    for (const o of orders.values()) {
      // The first poll records the state as it was at start; only what changes after is news.
      // (Not decided by submitted_at against our clock: Alpaca's clock is not ours.)
      if (!this.seeded) this.tracker.baseline(o);
      else for (const update of this.tracker.fromPoll(o, now)) this.hooks.emit(update);
    }
    this.seeded = true;
  }
}
