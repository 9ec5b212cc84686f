import type { SignalJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { Producer } from '@utm/queue';
import { markEnqueued } from '../repositories/signal-writer';

export interface OutboxRelayOptions {
  intervalMs: number;
  /** Rows younger than this are still in their request's own hands. */
  graceMs?: number;
  batchSize?: number;
}

/**
 * Guarantees that every committed signal reaches the signals queue: periodically adds the
 * jobs of rows whose enqueue was not confirmed (enqueued_at IS NULL), oldest first, with
 * jobId = signalId so a job already there is not added twice. Several gateways may relay
 * the same rows at once; the job id makes that harmless.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = true;
  private readonly log: Logger;

  constructor(
    private readonly db: Db,
    private readonly producer: Producer<SignalJob>,
    logger: Logger,
    private readonly opts: OutboxRelayOptions,
    private readonly onRelayed: (count: number) => void = () => undefined,
  ) {
    this.log = logger.child({ module: 'outbox/relay' });
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => 0);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce();
      this.running
        .catch((err: unknown) => {
          this.log.warn('outbox relay pass failed; will retry', { err });
          return 0;
        })
        .finally(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** One pass; returns how many signals it enqueued. Exposed for tests and shutdown. */
  async runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      // Rows already past PENDING were picked up another way: only marked, not re-added.
      const { rows } = await this.db.pool.query<{ id: string; account_id: string; status: string }>({
        name: 'gateway-outbox-scan',
        text: `SELECT id, account_id, status FROM signals
               WHERE enqueued_at IS NULL AND received_at < now() - ($1::int * interval '1 millisecond')
               ORDER BY seq LIMIT $2`,
        values: [this.opts.graceMs ?? 2000, this.opts.batchSize ?? 500],
      });
      if (!rows.length) return total;
      const pending = rows.filter((r) => r.status === 'PENDING');
      await this.producer.addBulk(pending.map((r) => ({ signalId: r.id, accountId: r.account_id })));
      await markEnqueued(
        this.db,
        rows.map((r) => r.id),
      );
      total += pending.length;
      this.onRelayed(pending.length);
      this.log.info('relayed signals from the outbox', { count: pending.length, marked: rows.length });
      if (rows.length < (this.opts.batchSize ?? 500)) return total;
    }
  }
}
