import type { Server } from 'node:http';
import express, { type Express } from 'express';
import type { DeliveryJob, SignalJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { Producer, RedisConnection } from '@utm/queue';
import { Authenticator } from './auth/api-key-auth';
import { RateLimiter } from './auth/rate-limiter';
import { HttpDrain } from './http/drain';
import { errorHandler, notFound } from './http/errors';
import { requestId } from './http/request-id';
import { createMetrics, type GatewayMetrics } from './metrics';
import { OutboxSweeper } from '@utm/queue';
import { watchQueues } from './queue-metrics';
import { pendingSignals } from './outbox/pending-signals';
import { AuthRepository } from './repositories/auth-repository';
import { ReadRepository } from './repositories/read-repository';
import { SignalWriter } from './repositories/signal-writer';
import { adminQueues } from './routes/admin-queues';
import { accountsRouter } from './routes/accounts';
import { consoleRouter, resolveConsoleDir } from './routes/console';
import { registerHealth } from './routes/health';
import { INGEST_PATH, ingestHandler } from './routes/ingest';
import { registerOpenApi } from './routes/openapi';
import { readRouter } from './routes/reads';
import { streamRouter } from './routes/stream';
import { webhooksRouter } from './routes/webhooks';
import type { AddressPolicy, Resolver } from '@utm/webhooks';
import { SignalFeed, type FeedOptions } from './stream/signal-feed';

export interface GatewayDeps {
  db: Db;
  /** Fail-fast client connection: rate limits, readiness. */
  redis: RedisConnection;
  /** Producer of the signals queue (fail-fast connection). */
  producer: Producer<SignalJob>;
  /** A connection for pub/sub (key revocations); optional in tests. */
  subscriber?: RedisConnection;
  logger: Logger;
  queuePrefix: string;
  authCacheTtlMs?: number;
  outboxIntervalMs?: number;
  outboxGraceMs?: number;
  /** Run the outbox sweeper (default true; tests on a shared database turn it off). */
  outboxSweep?: boolean;
  trustProxy?: boolean;
  /** Process metrics (event loop, memory) are registered once per process, not per app. */
  defaultMetrics?: boolean;
  /** ADMIN_TOKEN: turns on the queue board at /admin/queues (off when undefined). */
  adminToken?: string;
  /** The board's Redis connection (fail-fast); default `redis`. */
  adminRedis?: RedisConnection;
  /** The built web console (default: @utm/web-console's dist, when built); null: none. */
  consoleDir?: string | null;
  /** GET /api/v1/signals/stream timings (tests shorten them). */
  stream?: FeedOptions;
  /** Producer of the deliveries queue: test events and manual retries leave at once. */
  deliveries?: Producer<DeliveryJob>;
  /** UTM_ENCRYPTION_KEY: webhook URLs and secrets are stored under it (without it, no new webhooks). */
  encryptionKey?: Buffer;
  /** Which addresses a webhook URL may resolve to (default: public ones only). */
  webhookPolicy?: AddressPolicy;
  /** Tests: a DNS resolver of their own for webhook URLs. */
  webhookResolve?: Resolver;
}

export interface Gateway {
  app: Express;
  sweeper: OutboxSweeper<SignalJob>;
  metrics: GatewayMetrics;
  authenticator: Authenticator;
  /** The signal stream's feed (open streams, for tests and shutdown). */
  feed: SignalFeed;
  /** Starts the outbox sweeper and the revocation subscription, then listens. */
  listen(port: number, host?: string): Promise<Server>;
  /**
   * Stops intake (readiness fails, new requests get 503), lets the requests in flight finish
   * (at most `drainTimeoutMs`, default 10 s), closes every connection, stops the sweeper.
   */
  close(opts?: { drainTimeoutMs?: number }): Promise<void>;
}

export function createGateway(deps: GatewayDeps): Gateway {
  const log = deps.logger.child({ module: 'app' });
  const metrics = createMetrics(deps.defaultMetrics ?? false);
  const authenticator = new Authenticator(new AuthRepository(deps.db), deps.authCacheTtlMs ?? 5000);
  const rateLimiter = new RateLimiter(deps.redis, deps.queuePrefix, deps.logger);
  const writer = new SignalWriter(
    deps.db,
    deps.producer,
    deps.logger,
    {},
    (n) => metrics.enqueueFailures.inc(n),
    (n) => metrics.batchSize.observe(n),
  );
  const sweeper = new OutboxSweeper(
    deps.producer,
    pendingSignals(deps.db, deps.outboxGraceMs ?? 5000),
    deps.logger.child({ module: 'outbox/sweeper' }),
    {
      intervalMs: deps.outboxIntervalMs ?? 1000,
      onSwept: (n) => metrics.outboxSwept.inc(n),
    },
  );
  const drain = new HttpDrain(deps.logger, (req) => {
    if (req.path === INGEST_PATH) metrics.signalsReceived.inc({ outcome: 'SERVICE_UNAVAILABLE' });
  });
  const queues = watchQueues(metrics.registry, deps.redis, deps.queuePrefix, log);
  const feed = new SignalFeed(deps.db.pool, deps.logger, deps.stream);
  const consoleDir = deps.consoleDir === undefined ? resolveConsoleDir() : deps.consoleDir;
  if (!consoleDir) log.warn('the web console is not built: /app/ answers 503 (run npm run build)');

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  app.set('etag', false);
  app.use(requestId);
  app.use(drain.middleware);
  // The webhook first: it is most of the traffic.
  app.post(INGEST_PATH, ingestHandler({ authenticator, rateLimiter, writer, metrics }));
  registerHealth(app, {
    db: deps.db,
    redis: deps.redis,
    registry: metrics.registry,
    isShuttingDown: () => drain.isDraining,
  });
  registerOpenApi(app);
  const admin = adminQueues({
    token: deps.adminToken,
    connection: deps.adminRedis ?? deps.redis,
    queuePrefix: deps.queuePrefix,
    logger: deps.logger,
  });
  admin.mount(app);
  app.use(consoleRouter({ dir: consoleDir }));
  // Before the read routes: /signals/stream is not a signal id, and these have their own auth.
  app.use(streamRouter({ authenticator, feed }));
  app.use(accountsRouter({ authenticator, db: deps.db, logger: deps.logger }));
  app.use(
    webhooksRouter({
      authenticator,
      db: deps.db,
      logger: deps.logger,
      deliveries: deps.deliveries,
      encryptionKey: deps.encryptionKey,
      policy: deps.webhookPolicy ?? { allowPrivate: false },
      resolve: deps.webhookResolve,
    }),
  );
  app.use(readRouter({ authenticator, reads: new ReadRepository(deps.db) }));
  app.use(notFound);
  app.use(errorHandler(deps.logger));

  let server: Server | undefined;
  let unsubscribe: (() => Promise<void>) | undefined;

  return {
    app,
    sweeper,
    metrics,
    authenticator,
    feed,
    async listen(port, host) {
      if (deps.subscriber) unsubscribe = await authenticator.subscribe(deps.subscriber, deps.queuePrefix, deps.logger);
      if (deps.outboxSweep ?? true) sweeper.start();
      const s = host === undefined ? app.listen(port) : app.listen(port, host);
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('listening', resolve);
        s.once('error', reject);
      });
      log.info('gateway listening', { address: s.address() });
      return s;
    },
    async close(opts = {}) {
      await feed.close(); // open event streams would otherwise hold the server open
      // The listener stays open while draining, so that new requests get a 503, not a refusal.
      const unfinished = await drain.drain(opts.drainTimeoutMs ?? 10000);
      if (server) {
        const s = server;
        await new Promise<void>((resolve) => {
          s.close(() => resolve());
          if (unfinished) return s.closeAllConnections();
          s.closeIdleConnections();
          // A connection still busy now holds a request that arrived too late: its 503 is
          // written at once; a client that never finishes sending one is not waited for.
          setTimeout(() => s.closeAllConnections(), 1000).unref();
        });
      }
      await sweeper.stop();
      await unsubscribe?.();
      await queues.close();
      await admin.close();
    },
  };
}
