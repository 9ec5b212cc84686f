import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, type DeliveryJob, type SignalJob } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createCaptureLogger, createLogger, type Logger } from '@utm/logger';
import { createRedis, Producer, waitForRedis } from '@utm/queue';
import {
  createFixture,
  testDatabaseUrl,
  testRedisUrl,
  uniquePrefix,
  type Fixture,
  type FixtureOptions,
} from '@utm/testkit';
import { createGateway, type Gateway } from '../../src/app';
import type { FeedOptions } from '../../src/stream/signal-feed';
import type { AddressPolicy, Resolver } from '@utm/webhooks';

export interface TestGatewayOptions {
  prefix?: string;
  databaseUrl?: string;
  /** Redis for the producer (jobs) only, e.g. through a proxy a test takes down. */
  producerRedisUrl?: string;
  /** Redis for rate limits and readiness. */
  clientRedisUrl?: string;
  subscribe?: boolean;
  authCacheTtlMs?: number;
  outboxIntervalMs?: number;
  /** Setting a grace period turns the outbox sweeper on (off by default: the shared test
   * database holds other tests' PENDING signals, which it would sweep into this queue). */
  outboxGraceMs?: number;
  captureLogs?: boolean;
  /** Share the database handle of another test gateway. */
  db?: Db;
  /** ADMIN_TOKEN: turns the queue board on. */
  adminToken?: string;
  /** The web console's dist (default: none, so tests do not depend on a console build). */
  consoleDir?: string | null;
  /** Timings of GET /api/v1/signals/stream. */
  stream?: FeedOptions;
  /** Webhooks: the encryption key, the address policy, a DNS resolver of the test's own. */
  encryptionKey?: Buffer;
  webhookPolicy?: AddressPolicy;
  webhookResolve?: Resolver;
}

export interface TestGateway {
  url: string;
  prefix: string;
  db: Db;
  gateway: Gateway;
  logs: string[];
  /** The signals queue under this gateway's prefix, on a healthy connection. */
  queue: Queue;
  /** The deliveries queue under this gateway's prefix. */
  deliveriesQueue: Queue;
  fixture(opts?: FixtureOptions): Promise<Fixture>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  get(path: string, apiKey?: string): Promise<Response>;
  close(): Promise<void>;
}

/** A real gateway over HTTP on a free port, with real Postgres and Redis and a prefix of its own. */
export async function startGateway(opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const prefix = opts.prefix ?? uniquePrefix('gw');
  const ownDb = !opts.db;
  const db = opts.db ?? createDb({ url: opts.databaseUrl ?? testDatabaseUrl(), poolMax: 5, connectTimeoutMs: 1000 });
  const redis = createRedis(opts.clientRedisUrl ?? testRedisUrl(), 'client');
  const producerConn = createRedis(opts.producerRedisUrl ?? testRedisUrl(), 'producer');
  const subscriber: Redis | undefined = opts.subscribe ? createRedis(testRedisUrl(), 'worker') : undefined;
  const producer = new Producer<SignalJob>(JOBS.signals, { connection: producerConn, prefix }, { timeoutMs: 500 });
  const deliveries = new Producer<DeliveryJob>(
    JOBS.deliveries,
    { connection: producerConn, prefix },
    { timeoutMs: 500 },
  );
  const capture = createCaptureLogger('ingest-gateway', 'silly');
  const logger: Logger = opts.captureLogs
    ? capture.logger
    : createLogger({ service: 'ingest-gateway', level: 'error' });
  const gateway = createGateway({
    db,
    redis,
    producer,
    subscriber,
    logger,
    queuePrefix: prefix,
    authCacheTtlMs: opts.authCacheTtlMs ?? 5000,
    outboxIntervalMs: opts.outboxIntervalMs ?? 200,
    outboxGraceMs: opts.outboxGraceMs,
    outboxSweep: opts.outboxGraceMs !== undefined,
    adminToken: opts.adminToken,
    consoleDir: opts.consoleDir ?? null,
    stream: opts.stream,
    deliveries,
    encryptionKey: opts.encryptionKey,
    webhookPolicy: opts.webhookPolicy,
    webhookResolve: opts.webhookResolve,
  });
  // A fresh fail-fast connection refuses commands until it is up: wait, unless a test
  // deliberately points it at a dead port.
  if (!opts.clientRedisUrl) await waitForRedis(redis);
  const server = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const queueConn = createRedis(testRedisUrl(), 'producer');
  const queue = new Queue(JOBS.signals.queue, { connection: queueConn, prefix });
  const deliveriesQueue = new Queue(JOBS.deliveries.queue, { connection: queueConn, prefix });

  return {
    url,
    prefix,
    db,
    gateway,
    logs: capture.lines,
    queue,
    deliveriesQueue,
    fixture: (o) => createFixture(db.prisma, o),
    post: (path, body, headers = {}) =>
      fetch(url + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    get: (path, apiKey) => fetch(url + path, { headers: apiKey ? { 'x-api-key': apiKey } : {} }),
    async close() {
      await gateway.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
      await deliveriesQueue.obliterate({ force: true }).catch(() => undefined);
      await deliveriesQueue.close();
      await producer.close().catch(() => undefined);
      await deliveries.close().catch(() => undefined);
      for (const c of [redis, producerConn, queueConn, subscriber]) c?.disconnect();
      if (ownDb) await db.close();
    },
  };
}

export function signalBody(accountId: string, extra: Record<string, unknown> = {}) {
  return { symbol: 'AAPL', action: 'openLong', accountId, quantity: 10, ...extra };
}

/** The JSON bodies of the API, loosely typed for assertions. */
export interface ApiBody {
  success?: boolean;
  signalId?: string;
  status?: string;
  error?: string;
  message?: string;
  duplicate?: boolean;
  details?: { field: string; message: string }[];
  [key: string]: unknown;
}

export async function json(res: Response): Promise<ApiBody> {
  return (await res.json()) as ApiBody;
}
