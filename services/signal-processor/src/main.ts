import { ConfigError, loadProcessorConfig, type ProcessorConfig } from '@utm/config';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createLogger } from '@utm/logger';
import { startOpsServer } from '@utm/ops';
import { createRedis, Producer } from '@utm/queue';
import { createSignalProcessor } from './worker/create-worker';

function config(): ProcessorConfig {
  try {
    return loadProcessorConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`signal-processor: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** Wires config, starts, and on SIGTERM takes no new job, finishes the one in hand, closes. */
async function main(): Promise<void> {
  const cfg = config();
  const logger = createLogger({ service: 'signal-processor', level: cfg.logLevel });
  const db = createDb({ url: cfg.databaseUrl, poolMax: cfg.dbPoolMax, applicationName: 'signal-processor', onPoolError: (err) => logger.warn('idle Postgres connection failed', { err }) });
  const workerConn = createRedis(cfg.redisUrl, 'worker', 'processor-worker');
  const producerConn = createRedis(cfg.redisUrl, 'producer', 'processor-orders');
  const orders = new Producer(JOBS.orders, { connection: producerConn, prefix: cfg.queuePrefix });
  const processor = createSignalProcessor({
    db,
    consumer: { connection: workerConn, prefix: cfg.queuePrefix },
    orders,
    logger,
    concurrency: cfg.concurrency,
    lockTimeoutMs: cfg.lockTimeoutMs,
    sweepIntervalMs: cfg.sweepIntervalMs,
    sweepGraceMs: cfg.sweepGraceMs,
    defaultMetrics: true,
    autorun: false,
  });
  let shuttingDown = false;
  const ops = await startOpsServer({
    port: cfg.opsPort,
    registry: processor.metrics.registry,
    checks: { postgres: () => db.pool.query('SELECT 1'), redis: () => producerConn.ping() },
    isShuttingDown: () => shuttingDown,
  });
  processor.start();
  logger.info('signal-processor started', { concurrency: cfg.concurrency, opsPort: ops.port });

  const stop = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info('shutting down: finishing the jobs in hand', { signal });
    setTimeout(() => {
      logger.error('shutdown took too long; exiting (unfinished jobs are retried by another replica)');
      process.exit(1);
    }, cfg.shutdownTimeoutMs).unref();
    await processor.close();
    await orders.close();
    await ops.close();
    workerConn.disconnect();
    producerConn.disconnect();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`signal-processor failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
