import { randomBytes, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { JOBS, type DeliveryJob, type WebhookEventType, type WebhookKindName } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createLogger } from '@utm/logger';
import { createRedis, Producer, waitForRedis, type RedisConnection } from '@utm/queue';
import { encryptWebhookCredentials, generateWebhookSecret } from '@utm/security';
import {
  createFixture,
  isolatedDatabase,
  testRedisUrl,
  uniquePrefix,
  type Fixture,
  type IsolatedDatabase,
} from '@utm/testkit';
import { parseEndpoint } from '@utm/webhooks';
import { createNotifier, type Notifier, type NotifierDeps } from '../../src';

export const quiet = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'error' });

export type HarnessOptions = Partial<Omit<NotifierDeps, 'db' | 'consumer' | 'deliveries' | 'logger' | 'encryptionKey'>>;

/**
 * A notifier on a database of its own (its producer reads every fact of its database, its
 * cursor is per database) and a queue prefix of its own, with real Postgres, Redis and BullMQ.
 */
export class Harness {
  readonly key = randomBytes(32);
  readonly prefix = uniquePrefix('notify');
  db!: Db;
  notifier!: Notifier;
  queue!: Queue;
  deliveries!: Producer<DeliveryJob>;
  private database!: IsolatedDatabase;
  private conns: RedisConnection[] = [];

  async start(opts: HarnessOptions = {}): Promise<this> {
    this.database = await isolatedDatabase('notifier');
    this.db = createDb({ url: this.database.url, poolMax: 10 });
    this.conns = [
      createRedis({ redisUrl: testRedisUrl() }, 'producer'),
      createRedis({ redisUrl: testRedisUrl() }, 'worker'),
    ];
    await Promise.all(this.conns.map((c) => waitForRedis(c)));
    const [producerConn, workerConn] = this.conns as [RedisConnection, RedisConnection];
    this.deliveries = new Producer(JOBS.deliveries, { connection: producerConn, prefix: this.prefix });
    this.queue = new Queue(JOBS.deliveries.queue, { connection: producerConn, prefix: this.prefix });
    this.notifier = createNotifier({
      db: this.db,
      consumer: { connection: workerConn, prefix: this.prefix },
      deliveries: this.deliveries,
      logger: quiet,
      encryptionKey: this.key,
      bases: { discord: 'http://127.0.0.1:9', slack: 'http://127.0.0.1:9', telegram: 'http://127.0.0.1:9' },
      policy: { allowPrivate: true },
      pollIntervalMs: 20,
      sweepGraceMs: 60000,
      autorun: false,
      ...opts,
    });
    await this.notifier.start();
    return this;
  }

  async close(): Promise<void> {
    await this.notifier?.close();
    await this.queue?.obliterate({ force: true }).catch(() => undefined);
    await this.queue?.close();
    await this.deliveries?.close();
    for (const c of this.conns) c.disconnect();
    await this.db?.close();
    await this.database?.drop();
  }

  fixture(): Promise<Fixture> {
    return createFixture(this.db.prisma);
  }

  /** An endpoint as POST /api/v1/webhooks makes it (URL and secret encrypted together). */
  async endpoint(
    userId: string,
    url: string,
    events: WebhookEventType[],
    kind: WebhookKindName = 'webhook',
  ): Promise<{ id: string; secret: string }> {
    const parsed = parseEndpoint(kind, url);
    if (!parsed.ok) throw new Error(`bad test URL: ${JSON.stringify(parsed.details)}`);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    await this.db.prisma.webhook.create({
      data: {
        id,
        userId,
        kind,
        events,
        displayUrl: parsed.displayUrl,
        credentials: new Uint8Array(encryptWebhookCredentials(this.key, id, { url, secret })),
      },
    });
    return { id, secret };
  }

  /** A signal row of the fixture's account (as the gateway writes it). */
  async signal(f: Fixture, symbol = 'AAPL'): Promise<string> {
    const id = randomUUID();
    await this.db.prisma.signal.create({
      data: {
        id,
        userId: f.userId,
        accountId: f.accountId,
        symbol,
        action: 'openLong',
        request: { symbol, quantity: 10 },
      },
    });
    return id;
  }

  deliveriesOf(webhookId: string) {
    return this.db.prisma.webhookDelivery.findMany({
      where: { webhookId },
      orderBy: { createdAt: 'asc' },
      include: { attemptRows: { orderBy: { id: 'asc' } } },
    });
  }

  async until<T>(what: string, get: () => Promise<T> | T, ok: (v: T) => boolean, timeoutMs = 15000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await get();
      if (ok(v)) return v;
      if (Date.now() > deadline)
        throw new Error(
          `${what}: still ${JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x))}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}
