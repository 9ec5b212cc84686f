import { ConfigError, loadGatewayConfig } from '@utm/config';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createLogger } from '@utm/logger';
import { Producer, createRedis } from '@utm/queue';
import { createGateway } from './app';

/** Wires config, starts, and on SIGTERM/SIGINT stops intake, drains, then closes. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadGatewayConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`ingest-gateway: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const logger = createLogger({ service: 'ingest-gateway', level: config.logLevel });
  const db = createDb({
    url: config.databaseUrl,
    poolMax: config.dbPoolMax,
    applicationName: 'ingest-gateway',
    onPoolError: (err) => logger.warn('idle Postgres connection failed', { err }),
  });
  const redis = createRedis(config.redisUrl, 'client', 'gateway');
  const producerConn = createRedis(config.redisUrl, 'producer', 'gateway-producer');
  const subscriber = createRedis(config.redisUrl, 'worker', 'gateway-subscriber');
  // Fail fast: a request waits at most 1 s for Redis before its signal is left to the outbox.
  const producer = new Producer(JOBS.signals, { connection: producerConn, prefix: config.queuePrefix }, { timeoutMs: 1000 });
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
  });
  await gateway.listen(config.port, config.host);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, 15000);
    force.unref();
    await gateway.close();
    await producer.close();
    redis.disconnect();
    producerConn.disconnect();
    subscriber.disconnect();
    await db.close();
    logger.info('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err: unknown) => {
  process.stderr.write(`ingest-gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
