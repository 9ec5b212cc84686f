import { JOBS, type DeliveryJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import { registerQueueGauges } from '@utm/ops';
import {
  createConsumer,
  OutboxSweeper,
  QueueStats,
  type Producer,
  type QueueConnection,
  type Worker,
} from '@utm/queue';
import { Subjects } from '@utm/read-model';
import type { AddressPolicy, ChatBases, Resolver } from '@utm/webhooks';
import { createDeliveryHandler } from '../delivery/deliver';
import { EndpointGate } from '../delivery/endpoint-gate';
import { HttpPoster } from '../delivery/http-client';
import { ensureCursors } from '../facts/fact-reader';
import { FACT_SOURCES } from '../facts/fact-events';
import { FactProducer } from '../facts/producer';
import { DeliveryStore } from '../repositories/delivery-store';
import { dueDeliveries } from '../repositories/due-deliveries';
import { createMetrics, type NotifierMetrics } from './metrics';

export interface NotifierDeps {
  db: Db;
  /** Connection of the deliveries worker (worker role: waits out Redis restarts). */
  consumer: QueueConnection;
  /** Producer of the deliveries queue (fail-fast connection). */
  deliveries: Producer<DeliveryJob>;
  logger: Logger;
  /** UTM_ENCRYPTION_KEY; undefined: no endpoint can be read (deliveries fail and are retried). */
  encryptionKey: Buffer | undefined;
  bases: ChatBases;
  policy: AddressPolicy;
  /** Tests: a DNS resolver of their own. */
  resolve?: Resolver;
  /** How often committed facts are looked for (default 50 ms). */
  pollIntervalMs?: number;
  /** Deliveries under way at once (default 256) and to one endpoint (default 8). */
  concurrency?: number;
  endpointConcurrency?: number;
  /** One attempt's bound (default 10 s). */
  timeoutMs?: number;
  sweepIntervalMs?: number;
  sweepGraceMs?: number;
  /** Facts per producing transaction (default 500). */
  batch?: number;
  now?: () => Date;
  random?: () => number;
  defaultMetrics?: boolean;
  /** Turn facts into deliveries (default true; a test of the worker alone turns it off). */
  produce?: boolean;
  /** Start at once (default) or only on start(). */
  autorun?: boolean;
}

export interface Notifier {
  worker: Worker<DeliveryJob>;
  producer: FactProducer;
  sweeper: OutboxSweeper<DeliveryJob>;
  metrics: NotifierMetrics;
  /** Every fact committed so far becomes its deliveries (and their jobs); returns how many. */
  produceNow(): Promise<number>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The notifier: a producer that turns committed facts into deliveries every `pollIntervalMs`,
 * the `deliveries` consumer that attempts them, and a sweeper that re-adds the job of any
 * delivery past due without one (an enqueue that failed, a job lost with Redis).
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const log = deps.logger.child({ module: 'notifier' });
  const metrics = createMetrics(deps.defaultMetrics ?? false);
  const now = deps.now ?? (() => new Date());
  const producer = new FactProducer(deps.db, new Subjects(deps.db), deps.logger, {
    batch: deps.batch ?? 500,
    now,
  });
  const endpointConcurrency = deps.endpointConcurrency ?? 8;
  const poster = new HttpPoster({
    timeoutMs: deps.timeoutMs ?? 10000,
    maxSocketsPerHost: endpointConcurrency,
    policy: deps.policy,
    resolve: deps.resolve,
  });
  const enqueue = async (ids: string[]) => {
    if (!ids.length) return;
    await deps.deliveries.addBulk(ids.map((deliveryId) => ({ deliveryId }))).catch((err: unknown) => {
      log.warn('deliveries not enqueued; the sweeper will', { count: ids.length, err });
    });
  };
  const handler = createDeliveryHandler({
    store: new DeliveryStore(deps.db.pool),
    gate: new EndpointGate(endpointConcurrency),
    poster,
    encryptionKey: deps.encryptionKey,
    bases: deps.bases,
    logger: deps.logger,
    now,
    random: deps.random ?? Math.random,
    onAttempt: (d, outcome, durationMs, notices) => {
      metrics.attempts.inc({ kind: d.endpoint.kind, outcome: outcome.kind });
      metrics.attemptDuration.observe({ kind: d.endpoint.kind }, durationMs / 1000);
      if (outcome.kind === 'delivered') {
        const since = Date.parse(d.payload.timestamp);
        if (!Number.isNaN(since))
          metrics.deliveryLatency.observe({ kind: d.endpoint.kind }, Math.max(0, now().getTime() - since) / 1000);
      }
      void enqueue(notices);
    },
  });
  const worker = createConsumer<DeliveryJob>(JOBS.deliveries, handler, deps.consumer, {
    concurrency: deps.concurrency ?? 256,
    autorun: false,
  });
  worker.on('failed', (job, err) => {
    if (job)
      log.warn('delivery job failed; BullMQ retries it, then the sweeper', { deliveryId: job.data.deliveryId, err });
  });
  worker.on('error', (err) => log.warn('worker connection error', { err }));

  const sweeper = new OutboxSweeper(
    deps.deliveries,
    dueDeliveries(deps.db, deps.sweepGraceMs ?? 5000),
    deps.logger.child({ module: 'outbox/sweeper' }),
    { intervalMs: deps.sweepIntervalMs ?? 1000 },
  );
  const queueStats = new QueueStats(deps.consumer, [JOBS.deliveries.queue]);
  registerQueueGauges(metrics.registry, () => queueStats.snapshot(), {
    onError: (err, source) => log.warn('a metrics read failed; its gauges are empty for this scrape', { source, err }),
  });

  const produceNow = async (): Promise<number> => {
    let written = 0;
    for (const source of FACT_SOURCES) {
      for (;;) {
        const r = await producer.pass(source);
        metrics.deliveriesCreated.inc(r.deliveryIds.length);
        metrics.producerLag.set({ source }, r.more ? r.facts : 0);
        written += r.deliveryIds.length;
        await enqueue(r.deliveryIds);
        if (!r.more) break;
      }
    }
    return written;
  };

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = true;
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = produceNow()
        .catch((err: unknown) => log.warn('producing deliveries failed; next pass retries', { err }))
        .finally(schedule);
    }, deps.pollIntervalMs ?? 50);
  };

  const start = async () => {
    if (!stopped) return;
    stopped = false;
    await ensureCursors(deps.db.pool, FACT_SOURCES);
    if (!worker.isRunning()) void worker.run();
    if (deps.produce ?? true) schedule();
    sweeper.start();
  };
  if (deps.autorun ?? true) void start().catch((err: unknown) => log.error('notifier failed to start', { err }));

  return {
    worker,
    producer,
    sweeper,
    metrics,
    produceNow,
    start,
    async close() {
      stopped = true;
      clearTimeout(timer);
      await running;
      await worker.close();
      await sweeper.stop();
      await queueStats.close();
      poster.close();
    },
  };
}
