import { Client } from 'pg';
import { loadExecutorConfig } from '@utm/config';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createLogger } from '@utm/logger';
import { configOrExit, exitOnStartFailure, runWorkerService } from '@utm/ops';
import { assertNoEviction, createRedis, Producer } from '@utm/queue';
import { decryptSecret, parseCcxtCredentials, type AlpacaCredentials } from '@utm/security';
import { AlpacaBroker, AlpacaUpdates, alpacaEndpoints, RequestBudget } from './venues/alpaca';
import { ccxtConnection } from './venues/ccxt';
import type { ExecAccount } from './repositories/accounts';
import { orderSymbol } from './repositories/orders';
import { createBrokerExecutor, type BrokerConnection } from './worker/create-executor';

/** Wires config, starts, and on SIGTERM takes no new job, finishes the one in hand, closes. */
async function main(): Promise<void> {
  const cfg = configOrExit('broker-executor', () => loadExecutorConfig());
  const logger = createLogger({ service: 'broker-executor', level: cfg.logLevel });
  const db = createDb({
    url: cfg.databaseUrl,
    poolMax: cfg.dbPoolMax,
    applicationName: 'broker-executor',
    onPoolError: (err) => logger.warn('idle Postgres connection failed', { err }),
  });
  const workerConn = createRedis(cfg, 'worker', 'executor-worker');
  const producerConn = createRedis(cfg, 'producer', 'executor-orders');
  // Refuse a Redis that may evict queue keys (and wait for Redis to answer, to know).
  await assertNoEviction(producerConn);
  const orders = new Producer(JOBS.orders, { connection: producerConn, prefix: cfg.queuePrefix });
  const signals = new Producer(JOBS.signals, { connection: producerConn, prefix: cfg.queuePrefix });

  /** Broker credentials are decrypted here, in memory only, when an account is first traded. */
  const brokerFor = (account: ExecAccount): BrokerConnection => {
    if (!cfg.encryptionKey) throw new Error('UTM_ENCRYPTION_KEY is not set: broker credentials cannot be read');
    if (!account.brokerCredentials)
      throw new Error('the account has no broker credentials (utm account create … --api-key … --secret …)');
    const plaintext = decryptSecret(cfg.encryptionKey, account.brokerCredentials, account.id);
    if (account.broker === 'ccxt')
      return ccxtConnection(account, parseCcxtCredentials(plaintext), {
        timeoutMs: cfg.brokerTimeoutMs,
        pollIntervalMs: cfg.brokerPollIntervalMs,
        symbolOf: (id) => orderSymbol(db.pool, id),
        origin: cfg.ccxtApiOrigin,
      });
    const credentials = JSON.parse(plaintext) as AlpacaCredentials;
    const endpoints = alpacaEndpoints(cfg, account.mode);
    // One request budget per account: placement, polling and reconciliation share Alpaca's limit.
    const budget = new RequestBudget({ perMinute: cfg.alpacaRequestsPerMinute });
    const broker = new AlpacaBroker({
      baseUrl: endpoints.baseUrl,
      credentials,
      timeoutMs: cfg.brokerTimeoutMs,
      budget,
    });
    return {
      broker,
      background: broker.withPriority('reconcile'),
      updates: new AlpacaUpdates({
        ...endpoints,
        credentials,
        timeoutMs: cfg.brokerTimeoutMs,
        pollIntervalMs: cfg.brokerPollIntervalMs,
        budget,
      }),
    };
  };

  const executor = createBrokerExecutor({
    db,
    consumer: { connection: workerConn, prefix: cfg.queuePrefix },
    orders,
    signals,
    listen: async () => {
      const c = new Client({ connectionString: cfg.databaseUrl, application_name: 'broker-executor-quotes' });
      await c.connect();
      return c;
    },
    logger,
    clock: { timeZone: cfg.marketTimeZone, close: cfg.marketClose },
    brokerFor,
    concurrency: cfg.concurrency,
    batchSize: cfg.batchSize,
    lockTimeoutMs: cfg.lockTimeoutMs,
    reconcileIntervalMs: cfg.reconcileIntervalMs,
    defaultMetrics: true,
    autorun: false,
  });
  await runWorkerService({
    service: 'broker-executor',
    logger,
    opsPort: cfg.opsPort,
    registry: executor.metrics.registry,
    checks: { postgres: () => db.pool.query('SELECT 1'), redis: () => producerConn.ping() },
    shutdownTimeoutMs: cfg.shutdownTimeoutMs,
    details: { concurrency: cfg.concurrency, batchSize: cfg.batchSize },
    start: () => executor.start(),
    stop: async () => {
      await executor.close();
      await orders.close();
      await signals.close();
      workerConn.disconnect();
      producerConn.disconnect();
      await db.close();
    },
  });
}

exitOnStartFailure('broker-executor', main());
