import type { Client } from 'pg';
import { JOBS, type OrderJob, type SignalJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import { registerOrderStatusGauge, registerQueueGauges } from '@utm/ops';
import { createConsumer, QueueStats, type Producer, type QueueConnection, type Worker } from '@utm/queue';
import type { MilestoneSink } from '../domain/milestones';
import type { MarketClock } from '../venues/paper/market-clock';
import type { ExecAccount } from '../repositories/accounts';
import { orderCountsByStatus } from '../repositories/order-counts';
import { jobFailure, recordJobFailure } from '../use-cases/order-job-failed';
import { AccountVenues, type BrokerConnection } from './account-venues';
import { createFollowUps } from './follow-ups';
import { createMetrics, type ExecutorMetrics } from './metrics';
import { orderJobHandler } from './order-jobs';
import { PaperVenue } from '../venues/paper/paper-venue';
import { QuoteEngine } from '../venues/paper/quote-engine';
import { reconcile } from './reconcile';
import { ReconcileLoop } from './reconcile-loop';
import type { BrokerVenue } from '../venues/broker/broker-venue';

export type { BrokerConnection } from './account-venues';
export { BrokerUnreachable } from '../use-cases/order-job-failed';

/**
 * Job slots beyond the paper batches' (BATCH_SIZE × CONCURRENCY): room for that many jobs of
 * accounts at external brokers while the batches are full. It is not a cap on broker jobs,
 * which take any free slot: during a broker outage they can hold slots until their calls
 * time out (BROKER_TIMEOUT_MS), and paper jobs then wait for slots, never for the broker.
 */
const BROKER_JOBS_AT_ONCE = 8;

export interface ExecutorDeps {
  db: Db;
  /** Connection for the orders worker (worker role). */
  consumer: QueueConnection;
  /** Producer of the orders queue: asks for an account to be worked (legs, cancels at brokers). */
  orders: Producer<OrderJob>;
  /** Producer of the signals queue: wakes signals the processor deferred behind the orders just worked. */
  signals: Producer<SignalJob>;
  /** A dedicated Postgres connection for LISTEN (quote changes). */
  listen: () => Promise<Client>;
  logger: Logger;
  clock: MarketClock;
  /** External brokers by account (Alpaca, or one speaking its contract in tests). */
  brokerFor: (account: ExecAccount) => BrokerConnection;
  now?: () => Date;
  /** Batches of jobs under way at once (default 2). */
  concurrency?: number;
  /** Jobs worked together at most (default 32): their paper accounts in one transaction. */
  batchSize?: number;
  lockTimeoutMs?: number;
  quoteSweepMs?: number;
  reconcileIntervalMs?: number;
  defaultMetrics?: boolean;
  autorun?: boolean;
}

export interface BrokerExecutor {
  worker: Worker<OrderJob>;
  quotes: QuoteEngine;
  metrics: ExecutorMetrics;
  /** The account's external broker venue (null for a paper account): for tests and tools. */
  venueFor(accountId: string): Promise<BrokerVenue | null>;
  reconcileNow(): Promise<number>;
  start(): Promise<void>;
  /** Takes no new job, finishes the one in hand, stops listening and reconciling. */
  close(): Promise<void>;
}

/**
 * The orders consumer, wired: each job works its account (order-jobs.ts) on the account's
 * venue — the paper engine, in batches, or its broker (account-venues.ts); what follows is
 * asked for after (follow-ups.ts); a job that fails for good is recorded on its order
 * (use-cases/order-job-failed.ts); the quote engine moves the paper book; reconciliation runs at
 * start-up and on a timer (reconcile-loop.ts).
 */
export function createBrokerExecutor(deps: ExecutorDeps): BrokerExecutor {
  const log = deps.logger.child({ module: 'executor' });
  const metrics = createMetrics(deps.defaultMetrics ?? false);
  const pool = deps.db.pool;
  const lockTimeoutMs = deps.lockTimeoutMs ?? 10000;
  const milestones: MilestoneSink = (m) => {
    const seconds = Math.max(0, (Date.now() - m.receivedAt.getTime()) / 1000);
    (m.kind === 'accepted' ? metrics.toAccepted : metrics.toFilled).observe(
      { broker: m.broker, role: m.role },
      seconds,
    );
  };
  const onSampleError = (err: unknown, source: string) =>
    log.warn('a metrics read failed; its gauges are empty for this scrape', { source, err });
  const queueStats = new QueueStats(deps.consumer, [JOBS.signals.queue, JOBS.orders.queue]);
  registerQueueGauges(metrics.registry, () => queueStats.snapshot(), { onError: onSampleError });
  registerOrderStatusGauge(metrics.registry, () => orderCountsByStatus(pool, 2000), { onError: onSampleError });

  const followUps = createFollowUps({ pool, orders: deps.orders, signals: deps.signals, log });
  const paper = new PaperVenue(
    pool,
    deps.clock,
    deps.now ?? (() => new Date()),
    deps.logger.child({ module: 'paper' }),
    milestones,
    {
      lockTimeoutMs,
      onHandled: (operation, seconds) =>
        metrics.brokerCalls.observe({ broker: 'paper', operation, outcome: 'ok' }, seconds),
    },
  );
  const venues = new AccountVenues({
    pool,
    paper,
    lockTimeoutMs,
    logger: deps.logger,
    brokerFor: deps.brokerFor,
    brokerCalls: metrics.brokerCalls,
    milestones,
    requestWork: followUps.requestWork,
    onUpdated: (accountId) => followUps.wakeDeferred([accountId]),
  });
  const batchSize = deps.batchSize ?? 32;
  const batchesInFlight = deps.concurrency ?? 2;
  const handle = orderJobHandler({ venues, followUps, metrics, log, batchSize, batchesInFlight });
  const worker = createConsumer(JOBS.orders, handle, deps.consumer, {
    concurrency: batchSize * batchesInFlight + BROKER_JOBS_AT_ONCE,
    autorun: deps.autorun ?? true,
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const orderId = job.data.orderId;
    const failure = jobFailure(err, job.attemptsMade, job.opts.attempts ?? 1);
    if (!failure.final) return void log.warn('order job failed; will retry with backoff', { orderId, err });
    log.error('order job failed for good', { orderId, err });
    recordJobFailure(pool, orderId, failure).catch((e: unknown) =>
      log.error('could not record the order as failed', { orderId, err: e }),
    );
  });
  worker.on('error', (err) => log.warn('worker connection error', { err }));

  const quotes = new QuoteEngine(pool, paper, deps.listen, deps.logger.child({ module: 'quotes' }), {
    sweepIntervalMs: deps.quoteSweepMs ?? 1000,
    onEvaluated: (_symbol, _changed, ms) => metrics.quoteEvaluation.observe(ms / 1000),
  });
  const reconcileNow = () =>
    reconcile(
      pool,
      (accountId) => venues.venueFor(accountId),
      followUps.requestWork,
      log,
      (result) => metrics.reconciled.inc({ result }),
    );
  const reconciling = new ReconcileLoop(reconcileNow, deps.reconcileIntervalMs ?? 30000, log);

  return {
    worker,
    quotes,
    metrics,
    venueFor: (accountId) => venues.venueFor(accountId),
    reconcileNow,
    async start() {
      await quotes.start();
      await venues.connectWorking(log);
      await reconcileNow().catch((err: unknown) =>
        log.warn('start-up reconciliation failed; the timer retries', { err }),
      );
      reconciling.start();
      if (!worker.isRunning()) void worker.run();
    },
    async close() {
      venues.refuseNewStreams();
      await reconciling.stop();
      await worker.close();
      await quotes.stop();
      await venues.close();
      await queueStats.close();
    },
  };
}
