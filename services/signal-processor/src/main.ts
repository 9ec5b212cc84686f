import { loadProcessorConfig } from '@utm/config';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createLogger } from '@utm/logger';
import { configOrExit, exitOnStartFailure, runWorkerService } from '@utm/ops';
import { assertNoEviction, createRedis, Producer } from '@utm/queue';
import { createSignalProcessor } from './worker/create-worker';

/** Wires config, starts, and on SIGTERM takes no new job, finishes the one in hand, closes. */
async function main(): Promise<void> {
  const cfg = configOrExit('signal-processor', () => loadProcessorConfig());
  const logger = createLogger({ service: 'signal-processor', level: cfg.logLevel });
  const db = createDb({
    url: cfg.databaseUrl,
    poolMax: cfg.dbPoolMax,
    applicationName: 'signal-processor',
    onPoolError: (err) => logger.warn('idle Postgres connection failed', { err }),
  });
  const workerConn = createRedis(cfg, 'worker', 'processor-worker');
  const producerConn = createRedis(cfg, 'producer', 'processor-orders');
  // Refuse a Redis that may evict queue keys (and wait for Redis to answer, to know).
  await assertNoEviction(producerConn);
  const orders = new Producer(JOBS.orders, { connection: producerConn, prefix: cfg.queuePrefix });
  const signals = new Producer(JOBS.signals, { connection: producerConn, prefix: cfg.queuePrefix });
  const processor = createSignalProcessor({
    db,
    consumer: { connection: workerConn, prefix: cfg.queuePrefix },
    orders,
    signals,
    sequencing: { marketFillWaitMs: cfg.marketFillWaitMs, cancelWaitMs: cfg.cancelWaitMs },
    logger,
    concurrency: cfg.concurrency,
    batchSize: cfg.batchSize,
    lockTimeoutMs: cfg.lockTimeoutMs,
    sweepIntervalMs: cfg.sweepIntervalMs,
    sweepGraceMs: cfg.sweepGraceMs,
    defaultMetrics: true,
    autorun: false,
  });
  await runWorkerService({
    service: 'signal-processor',
    logger,
    opsPort: cfg.opsPort,
    registry: processor.metrics.registry,
    checks: { postgres: () => db.pool.query('SELECT 1'), redis: () => producerConn.ping() },
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
    details: { concurrency: cfg.concurrency, batchSize: cfg.batchSize },
    start: () => processor.start(),
    stop: async () => {
      await processor.close();
      await orders.close();
      await signals.close();
      workerConn.disconnect();
      producerConn.disconnect();
      await db.close();
    },
  });
}

exitOnStartFailure('signal-processor', main());
