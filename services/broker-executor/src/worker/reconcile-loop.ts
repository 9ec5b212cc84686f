import type { Logger } from '@utm/logger';

/**
 * Reconciliation on a timer: a pass every `intervalMs` after the previous one ended (a slow
 * broker never stacks passes); a failed pass is logged and the next one retries. stop() lets
 * the pass under way finish (the caller closes the pool after).
 */
export class ReconcileLoop {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass()
        .then(
          () => undefined,
          (err: unknown) => void this.log.warn('reconciliation pass failed', { err }),
        )
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}
