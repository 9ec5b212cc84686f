import { loadNotifierConfig } from '@utm/config';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createLogger } from '@utm/logger';
import { configOrExit, exitOnStartFailure, runWorkerService } from '@utm/ops';
import { assertNoEviction, createRedis, Producer } from '@utm/queue';
import { createNotifier } from './worker/create-notifier';

/** Wires config, starts, and on SIGTERM stops producing, finishes the attempts in hand, closes. */
async function main(): Promise<void> {
  const cfg = configOrExit('notifier', () => loadNotifierConfig());
  const logger = createLogger({ service: 'notifier', level: cfg.logLevel });
  const db = createDb({
    url: cfg.databaseUrl,
    poolMax: cfg.dbPoolMax,
    applicationName: 'notifier',
    onPoolError: (err) => logger.warn('idle Postgres connection failed', { err }),
  });
  const workerConn = createRedis(cfg, 'worker', 'notifier-worker');
  const producerConn = createRedis(cfg, 'producer', 'notifier-deliveries');
  await assertNoEviction(producerConn);
  const deliveries = new Producer(JOBS.deliveries, { connection: producerConn, prefix: cfg.queuePrefix });
  const notifier = createNotifier({
    db,
    consumer: { connection: workerConn, prefix: cfg.queuePrefix },
    deliveries,
    logger,
    encryptionKey: cfg.encryptionKey,
    bases: { discord: cfg.discordApiUrl, slack: cfg.slackHooksUrl, telegram: cfg.telegramApiUrl },
    policy: { allowPrivate: cfg.webhookAllowPrivate },
    pollIntervalMs: cfg.pollIntervalMs,
    concurrency: cfg.concurrency,
    endpointConcurrency: cfg.endpointConcurrency,
    timeoutMs: cfg.timeoutMs,
    sweepIntervalMs: cfg.sweepIntervalMs,
    sweepGraceMs: cfg.sweepGraceMs,
    defaultMetrics: true,
    autorun: false,
  });
  if (!cfg.encryptionKey)
    logger.warn('UTM_ENCRYPTION_KEY is not set: the gateway creates no webhook and none can be delivered');
  await runWorkerService({
    service: 'notifier',
    logger,
    opsPort: cfg.opsPort,
    registry: notifier.metrics.registry,
    checks: { postgres: () => db.pool.query('SELECT 1'), redis: () => producerConn.ping() },
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
    details: {
      concurrency: cfg.concurrency,
      endpointConcurrency: cfg.endpointConcurrency,
      allowPrivate: cfg.webhookAllowPrivate,
    },
    start: () => notifier.start(),
    stop: async () => {
      await notifier.close();
      await deliveries.close();
      workerConn.disconnect();
      producerConn.disconnect();
      await db.close();
    },
  });
}

exitOnStartFailure('notifier', main());
