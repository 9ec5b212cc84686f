import { JOBS, type OrderJob, type SignalJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import { registerQueueGauges } from '@utm/ops';
import {
  createBatchConsumer,
  OutboxSweeper,
  runSplittingOnFailure,
  QueueStats,
  UnrecoverableError,
  type Producer,
  type QueueConnection,
  type Worker,
} from '@utm/queue';
import {
  DEFAULT_SEQUENCING,
  processAccounts,
  type SequencingOptions,
  type Target,
} from '../repositories/account-processor';
import { failSignal } from '../repositories/decision-writer';
import { pendingOrders } from '../repositories/pending-orders';
import { errorText } from './error-text';
import { createMetrics, type ProcessorMetrics } from './metrics';

export interface ProcessorDeps {
  db: Db;
  /** Connection for the signals worker (worker role: waits out Redis restarts). */
  consumer: QueueConnection;
  /** Producer of the orders queue (fail-fast connection). */
  orders: Producer<OrderJob>;
  /** Producer of this service's own queue: re-checks of signals deferred behind earlier orders. */
  signals: Producer<SignalJob>;
  /** How long earlier orders at an external venue are waited for (default: 5 s for a market fill, 30 s for a cancel). */
  sequencing?: SequencingOptions;
  logger: Logger;
  /** Batches under way at once (default 2): jobs arriving meanwhile wait for the next. */
  concurrency?: number;
  /** Jobs decided together in one transaction at most (default 32). */
  batchSize?: number;
  lockTimeoutMs?: number;
  sweepIntervalMs?: number;
  sweepGraceMs?: number;
  defaultMetrics?: boolean;
  /** Start taking jobs at once (default) or only on start(). */
  autorun?: boolean;
}

export interface SignalProcessor {
  worker: Worker<SignalJob>;
  sweeper: OutboxSweeper<OrderJob>;
  metrics: ProcessorMetrics;
  start(): void;
  /** Takes no new job, finishes the one in hand, stops sweeping. */
  close(): Promise<void>;
}

/**
 * The signals consumer. Each job decides its account's pending signals, its own included
 * (processAccount), then enqueues the orders it created; if that enqueue fails, the
 * orders wait NEW for the sweeper. Rule refusals are decisions, not errors; database or
 * Redis errors throw and BullMQ retries with backoff; after the last attempt the signal is
 * FAILED with the reason.
 */
export function createSignalProcessor(deps: ProcessorDeps): SignalProcessor {
  const log = deps.logger.child({ module: 'worker' });
  const metrics = createMetrics(deps.defaultMetrics ?? false);
  const lockTimeoutMs = deps.lockTimeoutMs ?? 10000;
  const queueStats = new QueueStats(deps.consumer, [JOBS.signals.queue, JOBS.orders.queue]);
  registerQueueGauges(metrics.registry, () => queueStats.snapshot(), {
    onError: (err, source) => log.warn('a metrics read failed; its gauges are empty for this scrape', { source, err }),
  });

  /**
   * Decides the targets' accounts until every target is decided, enqueueing the orders as it
   * goes. The batch skips accounts another transaction holds; each of those is then decided on
   * its own, waiting for its lock while holding no other account's.
   */
  const sequencing = deps.sequencing ?? DEFAULT_SEQUENCING;
  const decideAll = async (targets: Target[], deferred: Target[], skipLocked = true): Promise<void> => {
    let open = targets;
    while (open.length) {
      const result = await processAccounts(deps.db, open, lockTimeoutMs, skipLocked, sequencing);
      deferred.push(...result.deferred);
      for (const outcome of result.outcomes) metrics.signalsDecided.inc({ outcome });
      metrics.ordersCreated.inc(result.orderJobs.length);
      if (result.orderJobs.length) {
        await deps.orders.addBulk(result.orderJobs).catch((err: unknown) => {
          log.warn('orders not enqueued; they wait NEW for the sweeper', { count: result.orderJobs.length, err });
        });
      }
      const held = [...result.skipped];
      if (held.length)
        await Promise.all(
          held.map((a) =>
            decideAll(
              open.filter((t) => t.accountId === a),
              deferred,
              false,
            ),
          ),
        );
      open = open.filter((t) => !result.skipped.has(t.accountId) && result.done.get(t.signalId) === false);
    }
  };

  /**
   * A deferred signal is looked at again after a delay that doubles with each re-check (20 ms up
   * to 1 s), one job per level (`signalId.rN`, so that chains started by several jobs merge);
   * the executor also wakes it when it has worked the account's orders. If the re-check cannot
   * be enqueued, the gateway's outbox sweeper re-drives the PENDING signal.
   */
  const recheckLater = async (deferred: Target[], jobs: SignalJob[]): Promise<void> => {
    const byDelay = new Map<number, SignalJob[]>();
    for (const t of new Map(deferred.map((d) => [d.accountId, d])).values()) {
      // Levels count this signal's own re-checks (a re-check of an earlier signal that finds a later one waiting starts anew).
      const level = 1 + Math.max(0, ...jobs.filter((j) => j.signalId === t.signalId).map((j) => j.recheck ?? 0));
      const delay = recheckDelayMs(level);
      const job: SignalJob = { ...t, recheck: level, wake: `r${level}` };
      byDelay.set(delay, [...(byDelay.get(delay) ?? []), job]);
    }
    for (const [delayMs, batch] of byDelay) {
      metrics.signalsDecided.inc({ outcome: 'deferred' }, batch.length);
      await deps.signals.addBulk(batch, { delayMs }).catch((err: unknown) =>
        log.warn('could not schedule the re-check of deferred signals; the outbox sweeper will', {
          count: batch.length,
          err,
        }),
      );
    }
  };

  // Jobs taken together are decided in one transaction over all their accounts. When that
  // fails, each account goes again on its own, so that one account's trouble (a lock held
  // elsewhere, a row that cannot be written) fails only its own jobs.
  const { worker } = createBatchConsumer<SignalJob, void>(
    JOBS.signals,
    async (items) => {
      const end = metrics.jobDuration.startTimer();
      const targets = items.map(({ data }) => ({ accountId: data.accountId, signalId: data.signalId }));
      const deferred: Target[] = [];
      try {
        const outcome = await runSplittingOnFailure(
          targets,
          (t) => t.accountId,
          (group) => decideAll(group, deferred),
          (err, accounts) =>
            log.warn('a batch of signal jobs failed; deciding its accounts one by one', {
              jobs: items.length,
              accounts,
              err,
            }),
        );
        await recheckLater(
          deferred,
          items.map(({ data }) => data),
        );
        return outcome;
      } finally {
        end();
      }
    },
    deps.consumer,
    { maxBatch: deps.batchSize ?? 32, maxInFlight: deps.concurrency ?? 2, autorun: deps.autorun ?? true },
  );

  worker.on('failed', (job, err) => {
    if (!job) return;
    const final =
      err instanceof UnrecoverableError ||
      err.name === 'UnrecoverableError' ||
      job.attemptsMade >= (job.opts.attempts ?? 1);
    const meta = { signalId: job.data.signalId, attempts: job.attemptsMade, err };
    if (!final) {
      log.warn('signal job failed; will retry with backoff', meta);
      return;
    }
    log.error('signal job failed for good; marking the signal FAILED', meta);
    const reason = `retries exhausted after ${job.attemptsMade} attempt(s): ${errorText(err)}`;
    failSignal(deps.db.pool, job.data.signalId, 'RETRIES_EXHAUSTED', reason).catch((e: unknown) =>
      log.error('could not mark the signal FAILED; the gateway sweeper will re-drive it', {
        signalId: job.data.signalId,
        err: e,
      }),
    );
  });
  worker.on('error', (err) => log.warn('worker connection error', { err }));

  const sweeper = new OutboxSweeper(
    deps.orders,
    pendingOrders(deps.db, deps.sweepGraceMs ?? 5000),
    deps.logger.child({ module: 'outbox/sweeper' }),
    {
      intervalMs: deps.sweepIntervalMs ?? 1000,
    },
  );

  return {
    worker,
    sweeper,
    metrics,
    start() {
      if (!worker.isRunning()) void worker.run();
      sweeper.start();
    },
    async close() {
      await worker.close();
      await sweeper.stop();
      await queueStats.close();
    },
  };
}

/** The delay before re-check number `level` (1, 2, …) of a deferred signal: 20 ms, doubling, at most 1 s. */
export function recheckDelayMs(level: number): number {
  return Math.min(1000, 20 * 2 ** Math.min(Math.max(level, 1) - 1, 10));
}
