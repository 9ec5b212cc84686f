import { JOBS, type OrderJob, type SignalJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import { registerQueueGauges } from '@utm/ops';
import { createConsumer, OutboxSweeper, QueueStats, UnrecoverableError, type Producer, type QueueConnection, type Worker } from '@utm/queue';
import { processAccount } from '../repositories/account-processor';
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
  logger: Logger;
  concurrency?: number;
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

  const worker = createConsumer(
    JOBS.signals,
    async (data, job) => {
      const end = metrics.jobDuration.startTimer();
      try {
        for (;;) {
          const result = await processAccount(deps.db, data.accountId, data.signalId, lockTimeoutMs);
          for (const outcome of result.outcomes) metrics.signalsDecided.inc({ outcome });
          metrics.ordersCreated.inc(result.orderJobs.length);
          if (result.orderJobs.length) {
            await deps.orders.addBulk(result.orderJobs).catch((err: unknown) => {
              log.warn('orders not enqueued; they wait NEW for the sweeper', { signalId: data.signalId, count: result.orderJobs.length, err });
            });
          }
          if (result.done) break;
        }
      } finally {
        end();
      }
      log.debug('signal job done', { signalId: data.signalId, jobId: job.id });
    },
    deps.consumer,
    { concurrency: deps.concurrency ?? 8, autorun: deps.autorun ?? true },
  );

  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    const meta = { signalId: job.data.signalId, attempts: job.attemptsMade, err };
    if (!final) {
      log.warn('signal job failed; will retry with backoff', meta);
      return;
    }
    log.error('signal job failed for good; marking the signal FAILED', meta);
    const reason = `retries exhausted after ${job.attemptsMade} attempt(s): ${errorText(err)}`;
    failSignal(deps.db.pool, job.data.signalId, 'RETRIES_EXHAUSTED', reason).catch((e: unknown) => log.error('could not mark the signal FAILED; the gateway sweeper will re-drive it', { signalId: job.data.signalId, err: e }));
  });
  worker.on('error', (err) => log.warn('worker connection error', { err }));

  const sweeper = new OutboxSweeper(deps.orders, pendingOrders(deps.db, deps.sweepGraceMs ?? 5000), deps.logger.child({ module: 'outbox/sweeper' }), {
    intervalMs: deps.sweepIntervalMs ?? 1000,
  });

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
