import { loadGatewayConfig } from '@utm/config';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createLogger } from '@utm/logger';
import { configOrExit, exitOnStartFailure, handleShutdown } from '@utm/ops';
import { Producer, assertNoEviction, createRedis } from '@utm/queue';
import { createGateway } from './app';

/**
 * Wires config, starts, and on SIGTERM/SIGINT stops intake (new requests 503, readiness
 * fails), lets the requests in flight finish, then closes its connections and exits 0.
 */
async function main(): Promise<void> {
  const config = configOrExit('ingest-gateway', () => loadGatewayConfig());
  const logger = createLogger({ service: 'ingest-gateway', level: config.logLevel });
  const db = createDb({
    url: config.databaseUrl,
    poolMax: config.dbPoolMax,
    applicationName: 'ingest-gateway',
    onPoolError: (err) => logger.warn('idle Postgres connection failed', { err }),
  });
  const redis = createRedis(config, 'client', 'gateway');
  const producerConn = createRedis(config, 'producer', 'gateway-producer');
  const subscriber = createRedis(config, 'worker', 'gateway-subscriber');
  // Refuse a Redis that may evict queue keys (and wait for Redis to answer, to know).
  await assertNoEviction(redis);
  // The queue board's reads stay off the webhook's auto-pipelined connection.
  const adminRedis = config.adminToken ? createRedis(config, 'producer', 'gateway-admin') : undefined;
  // Fail fast: a request waits at most 1 s for Redis before its signal is left to the outbox.
  const producer = new Producer(
    JOBS.signals,
    { connection: producerConn, prefix: config.queuePrefix },
    { timeoutMs: 1000 },
  );
  const deliveries = new Producer(
    JOBS.deliveries,
    { connection: producerConn, prefix: config.queuePrefix },
    { timeoutMs: 1000 },
  );
  const gateway = createGateway({
    db,
    redis,
    producer,
    subscriber,
    logger,
    queuePrefix: config.queuePrefix,
    authCacheTtlMs: config.authCacheTtlMs,
    outboxIntervalMs: config.outboxIntervalMs,
    outboxGraceMs: config.outboxGraceMs,
    trustProxy: config.trustProxy,
    defaultMetrics: true,
    adminToken: config.adminToken,
    adminRedis,
    deliveries,
    encryptionKey: config.encryptionKey,
    webhookPolicy: { allowPrivate: config.webhookAllowPrivate },
  });
  await gateway.listen(config.port, config.host);

  handleShutdown({
    logger,
    timeoutMs: config.shutdownTimeoutMs,
    stop: async () => {
      // Most of the bound for the requests in flight; the rest for closing the stores.
      await gateway.close({ drainTimeoutMs: Math.floor(config.shutdownTimeoutMs * 0.8) });
      await producer.close();
      await deliveries.close();
      for (const c of [redis, producerConn, subscriber, adminRedis]) c?.disconnect();
      await db.close();
    },
  });
}

exitOnStartFailure('ingest-gateway', main());
