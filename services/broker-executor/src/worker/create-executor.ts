import type { Client } from 'pg';
import { JOBS, SENT_ORDER_STATUSES, sqlList, type OrderJob, type SignalJob } from '@utm/contracts';
import { withTransaction, type Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import { registerOrderStatusGauge, registerQueueGauges } from '@utm/ops';
import {
  Batcher,
  createConsumer,
  QueueStats,
  runSplittingOnFailure,
  UnrecoverableError,
  type Producer,
  type QueueConnection,
  type Worker,
} from '@utm/queue';
import type { Broker, BrokerOrderUpdate } from '../brokers/types';
import type { MarketClock } from '../paper/market-clock';
import { loadAccount, type ExecAccount } from '../repositories/accounts';
import { orderCountsByStatus } from '../repositories/order-counts';
import { carriedOrders, loadOrder, refreshSignal, updateOrder } from '../repositories/orders';
import { wakesFor } from '../repositories/pending-signals';
import { workAccount, workPaperAccounts } from './account-executor';
import { BrokerVenue, type LegHooks } from './broker-venue';
import { resyncLegs } from '../use-cases/leg-resize';
import { recordBrokerFill } from '../use-cases/record-fill';
import { instrumentBroker } from './instrumented-broker';
import { createMetrics, type ExecutorMetrics } from './metrics';
import type { MilestoneSink } from '../domain/milestones';
import { PaperVenue } from './paper-venue';
import { QuoteEngine } from './quote-engine';
import { reconcile } from './reconcile';
import type { Venue } from './venue';

/**
 * Job slots beyond the paper batches' (BATCH_SIZE × CONCURRENCY): room for that many jobs of
 * accounts at external brokers while the batches are full. It is not a cap on broker jobs,
 * which take any free slot: during a broker outage they can hold slots until their calls
 * time out (BROKER_TIMEOUT_MS), and paper jobs then wait for slots, never for the broker.
 */
const BROKER_JOBS_AT_ONCE = 8;

/** The account's broker cannot be connected (credentials missing or unreadable): final. */
export class BrokerUnreachable extends UnrecoverableError {}

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

/** An account's broker, and the stream of its order updates when it has one. */
export interface BrokerConnection {
  broker: Broker;
  updates?: {
    start(): Promise<void>;
    stop(): Promise<void>;
    onUpdate(cb: (u: BrokerOrderUpdate) => void): () => void;
    onError(cb: (err: Error) => void): () => void;
  };
}

export interface BrokerExecutor {
  worker: Worker<OrderJob>;
  quotes: QuoteEngine;
  metrics: ExecutorMetrics;
  venueFor(accountId: string): Promise<Venue | null>;
  reconcileNow(): Promise<number>;
  start(): Promise<void>;
  /** Takes no new job, finishes the one in hand, stops listening and reconciling. */
  close(): Promise<void>;
}

/**
 * The orders consumer. Each job works its account (account-executor): cancels asked for,
 * orders to place, placements left uncertain, in sequence, on the account's venue — the
 * paper engine or its broker. Transient failures are retried with backoff; after the last
 * attempt an order never sent ends REJECTED (RETRIES_EXHAUSTED) and its signal FAILED, while
 * one that may be at the broker is left to reconciliation.
 */
export function createBrokerExecutor(deps: ExecutorDeps): BrokerExecutor {
  const log = deps.logger.child({ module: 'executor' });
  const metrics = createMetrics(deps.defaultMetrics ?? false);
  const now = deps.now ?? (() => new Date());
  const pool = deps.db.pool;
  const milestones: MilestoneSink = (m) => {
    const seconds = Math.max(0, (Date.now() - m.receivedAt.getTime()) / 1000);
    (m.kind === 'accepted' ? metrics.toAccepted : metrics.toFilled).observe(
      { broker: m.broker, role: m.role },
      seconds,
    );
  };
  const paper = new PaperVenue(pool, deps.clock, now, deps.logger.child({ module: 'paper' }), milestones, {
    lockTimeoutMs: deps.lockTimeoutMs ?? 10000,
  });
  const onSampleError = (err: unknown, source: string) =>
    log.warn('a metrics read failed; its gauges are empty for this scrape', { source, err });
  const queueStats = new QueueStats(deps.consumer, [JOBS.signals.queue, JOBS.orders.queue]);
  registerQueueGauges(metrics.registry, () => queueStats.snapshot(), { onError: onSampleError });
  registerOrderStatusGauge(metrics.registry, () => orderCountsByStatus(pool, 2000), { onError: onSampleError });
  const external = new Map<string, BrokerVenue>();
  /** Accounts known to trade on the paper engine (an account's broker never changes). */
  const paperAccounts = new Set<string>();
  const streams: NonNullable<BrokerConnection['updates']>[] = [];
  let closing = false;

  // requeue, not add: an order asked to cancel already has a finished job under its id
  // (its placement), which a plain add would silently keep.
  const requestWork = async (accountId: string, orderIds: string[]) => {
    try {
      const { rows } = await pool.query<{ id: string; signal_id: string }>(
        'SELECT id, signal_id FROM orders WHERE id = ANY($1::uuid[])',
        [orderIds],
      );
      await deps.orders.requeue(rows.map((r) => ({ orderId: r.id, accountId, signalId: r.signal_id })));
    } catch (err) {
      // New orders are re-added by the outbox sweeper; cancels by reconciliation.
      log.warn('could not enqueue follow-up work; the sweeper and reconciliation will', { accountId, err });
    }
  };

  const brokerVenueFor = async (accountId: string): Promise<BrokerVenue | null> => {
    const cached = external.get(accountId);
    if (cached) return cached;
    if (paperAccounts.has(accountId)) return null;
    const account = await loadAccount(pool, accountId);
    if (account?.broker === 'paper') paperAccounts.add(accountId);
    if (!account || account.broker === 'paper') return null;
    let connection: BrokerConnection;
    try {
      connection = deps.brokerFor(account);
    } catch (err) {
      // Credentials missing or unreadable, no encryption key: retrying cannot help.
      throw new BrokerUnreachable(`${account.broker} cannot be reached for this account: ${(err as Error).message}`);
    }
    const venueLog = deps.logger.child({ module: 'broker', accountId });
    const broker = instrumentBroker(connection.broker, metrics.brokerCalls);
    const legVenue = { broker };
    const legs: LegHooks = {
      fill: (c, o, execution) => recordBrokerFill(c, o, execution, legVenue),
      afterSettle: (c, o) => resyncLegs(c, o, legVenue),
    };
    const venue = new BrokerVenue(pool, broker, legs, requestWork, venueLog, milestones);
    external.set(accountId, venue);
    const updates = connection.updates;
    if (updates && !closing) {
      updates.onUpdate((u) => {
        venue
          .apply(u.order.clientOrderId, u.order, null)
          .then(() => wakeDeferred([accountId]))
          .catch((err: unknown) =>
            venueLog.warn('could not record a broker update; reconciliation will', {
              orderId: u.order.clientOrderId,
              err,
            }),
          );
      });
      updates.onError((err) => venueLog.warn('broker update stream error', { err }));
      streams.push(updates);
      await updates.start();
    }
    return venue;
  };

  /** The account's external broker; null for a paper account (worked in batches) or an unknown one. */
  const venueFor = async (accountId: string): Promise<Venue | null> => brokerVenueFor(accountId);

  const paperAmong = async (accountIds: string[]): Promise<string[]> => {
    const unknown = accountIds.filter((id) => !paperAccounts.has(id) && !external.has(id));
    if (unknown.length) {
      const { rows } = await pool.query<{ id: string }>({
        name: 'executor-paper-accounts',
        text: `SELECT id FROM accounts WHERE id = ANY($1::uuid[]) AND broker = 'paper'`,
        values: [unknown],
      });
      for (const r of rows) paperAccounts.add(r.id);
    }
    return accountIds.filter((id) => paperAccounts.has(id));
  };
  const workOpts = { lockTimeoutMs: deps.lockTimeoutMs ?? 10000 };
  /** After orders were worked: the accounts' deferred signals can be decided now (best effort: the processor re-checks anyway). */
  const wakeDeferred = async (accountIds: string[]): Promise<void> => {
    try {
      await deps.signals.addBulk(await wakesFor(pool, accountIds));
    } catch (err) {
      log.warn('could not wake deferred signals; the processor re-checks them', { accounts: accountIds.length, err });
    }
  };
  const onPaperHandled = (operation: string, seconds: number) =>
    metrics.brokerCalls.observe({ broker: 'paper', operation, outcome: 'ok' }, seconds);

  // Paper accounts are worked in batches: the accounts of the jobs taken together, in one
  // transaction (split by account if it fails).
  const batchSize = deps.batchSize ?? 32;
  const batchesInFlight = deps.concurrency ?? 2;
  const paperBatches = new Batcher<string, void>(
    async (accountIds) => {
      const ids = [...new Set(accountIds)];
      const results = await runSplittingOnFailure(
        ids,
        (id) => id,
        async (some) => {
          const handled = await workPaperAccounts(pool, paper, some, log, { ...workOpts, onHandled: onPaperHandled });
          metrics.ordersHandled.inc(handled);
          if (handled) await wakeDeferred(some);
        },
        (err, n) => log.warn('a batch of paper accounts failed; working them one by one', { accounts: n, err }),
      );
      const byAccount = new Map(ids.map((id, i) => [id, results[i]]));
      return accountIds.map((id) => byAccount.get(id));
    },
    { maxBatch: batchSize, maxInFlight: batchesInFlight },
  );
  // An account at an external broker is worked on its own, outside the paper batches: its
  // broker's round trips must not hold up the paper accounts of a batch.
  const workAtBroker = async (accountId: string) => {
    const venue = await venueFor(accountId);
    if (!venue) return;
    const handled = await workAccount(pool, venue, accountId, log, workOpts);
    metrics.ordersHandled.inc(handled);
    if (handled) await wakeDeferred([accountId]);
  };
  const worker = createConsumer(
    JOBS.orders,
    async (data) =>
      (await paperAmong([data.accountId])).length ? paperBatches.submit(data.accountId) : workAtBroker(data.accountId),
    deps.consumer,
    { concurrency: batchSize * batchesInFlight + BROKER_JOBS_AT_ONCE, autorun: deps.autorun ?? true },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (!final) return void log.warn('order job failed; will retry with backoff', { orderId: job.data.orderId, err });
    log.error('order job failed for good', { orderId: job.data.orderId, err });
    // An account whose broker cannot be reached is a broker error on each of its orders
    // (FAILED with BROKER_ERROR and why); anything else ran out of retries.
    const unreachable = err instanceof BrokerUnreachable;
    const code = unreachable ? 'BROKER_ERROR' : 'RETRIES_EXHAUSTED';
    const message = unreachable ? err.message : `Retries exhausted: ${err.message}`;
    void withTransaction(pool, async (c) => {
      const o = await loadOrder(c, job.data.orderId, true);
      if (!o || o.status !== 'NEW') return; // SUBMITTING: reconciliation asks the broker
      await updateOrder(
        c,
        o,
        { status: 'REJECTED', errorCode: code, errorMessage: message },
        { type: 'ORDER_REJECTED', message },
      );
      for (const leg of await carriedOrders(c, o.id))
        if (leg.status === 'NEW')
          await updateOrder(
            c,
            leg,
            { status: 'REJECTED', errorCode: code, errorMessage: message },
            { type: 'ORDER_REJECTED', message },
          );
      await refreshSignal(c, o.signalId);
    }).catch((e: unknown) => log.error('could not record the order as failed', { orderId: job.data.orderId, err: e }));
  });
  worker.on('error', (err) => log.warn('worker connection error', { err }));

  const quotes = new QuoteEngine(pool, paper, deps.listen, deps.logger.child({ module: 'quotes' }), {
    sweepIntervalMs: deps.quoteSweepMs ?? 1000,
    onEvaluated: (_symbol, _changed, ms) => metrics.quoteEvaluation.observe(ms / 1000),
  });

  const reconcileNow = () =>
    reconcile(pool, brokerVenueFor, requestWork, log, (result) => metrics.reconciled.inc({ result }));
  let reconcileTimer: NodeJS.Timeout | undefined;
  /** The pass under way, which close() lets finish before the pool closes. */
  let reconciling: Promise<void> | undefined;
  const scheduleReconcile = () => {
    if (closing) return;
    reconcileTimer = setTimeout(() => {
      reconciling = reconcileNow()
        .then(
          () => undefined,
          (err: unknown) => void log.warn('reconciliation pass failed', { err }),
        )
        .finally(() => {
          reconciling = undefined;
          scheduleReconcile();
        });
    }, deps.reconcileIntervalMs ?? 30000);
    reconcileTimer.unref();
  };

  return {
    worker,
    quotes,
    metrics,
    venueFor,
    reconcileNow,
    async start() {
      await quotes.start();
      // Streams for the accounts that have orders working at their broker.
      const { rows } = await pool.query<{ account_id: string }>(
        `SELECT DISTINCT o.account_id FROM orders o JOIN accounts a ON a.id = o.account_id
         WHERE a.broker <> 'paper' AND o.status IN (${sqlList(SENT_ORDER_STATUSES)})`,
      );
      for (const r of rows)
        await brokerVenueFor(r.account_id).catch((err: unknown) =>
          log.warn('could not connect an account to its broker', { accountId: r.account_id, err }),
        );
      await reconcileNow().catch((err: unknown) =>
        log.warn('start-up reconciliation failed; the timer retries', { err }),
      );
      scheduleReconcile();
      if (!worker.isRunning()) void worker.run();
    },
    async close() {
      closing = true;
      clearTimeout(reconcileTimer);
      await worker.close();
      await reconciling;
      await quotes.stop();
      await Promise.all(streams.map((u) => u.stop()));
      await queueStats.close();
    },
  };
}
