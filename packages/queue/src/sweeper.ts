import type { Producer } from './jobs';

/** What a sweeper needs from a store: rows still waiting for their job, after a cursor. */
export type SweepFetch<T> = (afterSeq: bigint, limit: number) => Promise<{ seq: bigint; job: T }[]>;

export interface SweeperLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
}

export interface OutboxSweeperOptions {
  intervalMs: number;
  batchSize?: number;
  onSwept?: (count: number) => void;
}

/**
 * The no-loss half of "commit, then enqueue": rows that are committed but may lack their
 * job (the enqueue failed, timed out, or the process died in between) are added again,
 * oldest first, with jobId = row id. A job still waiting or active is left alone (BullMQ
 * ignores an id it holds); one that finished while its row still waits is replaced. Several
 * replicas may sweep the same rows. The cursor walks a long backlog page by page instead of
 * re-reading its head.
 */
export class OutboxSweeper<T> {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private cursor = 0n;

  constructor(
    private readonly producer: Producer<T>,
    private readonly fetch: SweepFetch<T>,
    private readonly log: SweeperLogger,
    private readonly opts: OutboxSweeperOptions,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.sweepOnce()
        .catch((err: unknown) =>
          this.log.warn('outbox sweep failed; will retry', { queue: this.producer.def.queue, err }),
        )
        .finally(() => this.schedule());
    }, this.opts.intervalMs);
    this.timer.unref();
  }

  /** One page; returns how many jobs it added (missing, or finished while their row waits). */
  async sweepOnce(): Promise<number> {
    const limit = this.opts.batchSize ?? 500;
    const rows = await this.fetch(this.cursor, limit);
    const last = rows[rows.length - 1];
    this.cursor = rows.length < limit || !last ? 0n : last.seq;
    if (!rows.length) return 0;
    const added = await this.producer.requeue(rows.map((r) => r.job));
    if (added) {
      this.opts.onSwept?.(added);
      this.log.info('outbox sweep added jobs that were missing', {
        queue: this.producer.def.queue,
        added,
        checked: rows.length,
      });
    }
    return added;
  }
}
