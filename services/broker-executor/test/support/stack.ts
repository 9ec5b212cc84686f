import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { Queue } from 'bullmq';
import { JOBS, type IngestRequest, type OrderJob, type SignalJob } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createGateway, type Gateway } from '@utm/ingest-gateway';
import { createLogger } from '@utm/logger';
import type { RedisTarget } from '@utm/config';
import { createRedis, Producer, waitForRedis } from '@utm/queue';
import { createSignalProcessor, type SignalProcessor } from '@utm/signal-processor';
import {
  createFixture,
  postSignal,
  isolatedDatabase,
  testRedisUrl,
  uniqueClusterPrefix,
  uniquePrefix,
  type Fixture,
  type FixtureOptions,
  type IsolatedDatabase,
} from '@utm/testkit';
import type { ExecAccount } from '../../src/repositories/accounts';
import { createBrokerExecutor, type BrokerConnection, type BrokerExecutor } from '../../src/worker/create-executor';

const quiet = createLogger({ service: 'test', level: process.env.TEST_LOG_LEVEL ?? 'error' });

export interface StackOptions {
  /** The executor's clock (DAY expiry); default: the real one. */
  now?: () => Date;
  brokerFor?: (account: ExecAccount) => BrokerConnection;
  reconcileIntervalMs?: number;
  /** false: no executor in-process (a test runs the real one as a separate process). */
  executor?: boolean;
  /** The executor's batches in flight (its CONCURRENCY); default: its own default. */
  executorBatches?: number;
  /** Where Redis is, as a service's configuration says (a Redis Cluster: then the prefix is hash-tagged); default the shared test Redis. */
  redis?: RedisTarget;
  /** The gateway subscribes to key revocations, as in production. */
  subscribe?: boolean;
  /** Replicas of the processor and of the executor, each with its own connections as separate processes have (default 1 each). */
  replicas?: { processors: number; executors: number };
}

/**
 * The three services for real, in-process, on a database of their own (the paper engine acts
 * on every resting order it can see) and a fresh queue prefix: signals go in over HTTP as a
 * provider sends them, quotes change as `utm quote set` changes them.
 */
export class Stack {
  readonly prefix: string;
  db!: Db;
  url = '';
  databaseUrl = '';
  executor!: BrokerExecutor;
  executors: BrokerExecutor[] = [];
  gateway!: Gateway;
  processor!: SignalProcessor;
  processors: SignalProcessor[] = [];
  ordersQueue!: Queue;
  signalsQueue!: Queue;
  private database!: IsolatedDatabase;
  private readonly closers: (() => Promise<void>)[] = [];

  private readonly redis: RedisTarget;

  constructor(private readonly opts: StackOptions = {}) {
    this.redis = opts.redis ?? { redisUrl: testRedisUrl() };
    this.prefix = opts.redis?.redisClusterNodes ? uniqueClusterPrefix('exec') : uniquePrefix('exec');
  }

  async start(): Promise<this> {
    this.database = await isolatedDatabase('executor');
    this.databaseUrl = this.database.url;
    this.db = createDb({ url: this.database.url, poolMax: 20 });
    const conns = [
      createRedis(this.redis, 'client'),
      createRedis(this.redis, 'producer'),
      createRedis(this.redis, 'producer'),
      createRedis(this.redis, 'producer'),
    ];
    const subscriber = this.opts.subscribe ? createRedis(this.redis, 'worker') : undefined;
    await Promise.all(conns.map((c) => waitForRedis(c)));
    const [client, signalsConn, ordersConn, queuesConn] = conns as [
      (typeof conns)[0],
      (typeof conns)[0],
      (typeof conns)[0],
      (typeof conns)[0],
    ];
    const signals = new Producer<SignalJob>(JOBS.signals, { connection: signalsConn, prefix: this.prefix });
    const orders = new Producer<OrderJob>(JOBS.orders, { connection: ordersConn, prefix: this.prefix });
    this.ordersQueue = new Queue(JOBS.orders.queue, { connection: queuesConn, prefix: this.prefix });
    this.signalsQueue = new Queue(JOBS.signals.queue, { connection: queuesConn, prefix: this.prefix });

    const gateway = (this.gateway = createGateway({
      db: this.db,
      redis: client,
      subscriber,
      producer: signals,
      logger: quiet,
      queuePrefix: this.prefix,
      outboxSweep: false,
    }));
    const server = await gateway.listen(0, '127.0.0.1');
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const newProcessor = (): SignalProcessor => {
      const conn = createRedis(this.redis, 'worker');
      const p = createSignalProcessor({
        db: this.db,
        consumer: { connection: conn, prefix: this.prefix },
        orders,
        signals,
        logger: quiet,
        concurrency: 4,
        sweepGraceMs: 60000,
      });
      this.closers.unshift(async () => {
        await p.close();
        conn.disconnect();
      });
      return p;
    };
    const newExecutor = (): BrokerExecutor => {
      const conn = createRedis(this.redis, 'worker');
      const e = createBrokerExecutor({
        db: this.db,
        consumer: { connection: conn, prefix: this.prefix },
        orders,
        signals,
        listen: async () => {
          const c = new Client({ connectionString: this.database.url });
          await c.connect();
          return c;
        },
        logger: quiet,
        clock: { timeZone: 'America/New_York', close: '16:00' },
        brokerFor:
          this.opts.brokerFor ??
          (() => {
            throw new Error('no external broker in this test');
          }),
        now: this.opts.now,
        quoteSweepMs: 200,
        concurrency: this.opts.executorBatches,
        reconcileIntervalMs: this.opts.reconcileIntervalMs ?? 60000,
        autorun: false,
      });
      this.closers.unshift(async () => {
        await e.close();
        conn.disconnect();
      });
      return e;
    };

    this.closers.push(async () => {
      await gateway.close();
      for (const q of [this.ordersQueue, this.signalsQueue]) await q.obliterate({ force: true }).catch(() => undefined);
      await this.ordersQueue.close();
      await this.signalsQueue.close();
      await signals.close();
      await orders.close();
      for (const c of [...conns, subscriber]) c?.disconnect();
      await this.db.close();
      await this.database.drop();
    });
    const replicas = this.opts.replicas ?? { processors: 1, executors: 1 };
    this.processors = Array.from({ length: replicas.processors }, newProcessor);
    this.executors = Array.from({ length: replicas.executors }, newExecutor);
    this.processor = this.processors[0] as SignalProcessor;
    this.executor = this.executors[0] as BrokerExecutor;
    if (this.opts.executor ?? true) for (const e of this.executors) await e.start();
    return this;
  }

  fixture(opts?: FixtureOptions): Promise<Fixture> {
    return createFixture(this.db.prisma, opts);
  }

  send(f: Fixture, body: Partial<IngestRequest> & Record<string, unknown>): Promise<string> {
    return postSignal(this.url, f, body);
  }

  /** Like `utm quote set`: the quotes table's trigger wakes the paper engine. */
  async quote(symbol: string, price: string): Promise<void> {
    await this.db.pool.query(
      'INSERT INTO quotes (symbol, price) VALUES ($1, $2) ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, updated_at = now()',
      [symbol, price],
    );
  }

  signal(id: string) {
    return this.db.prisma.signal.findUniqueOrThrow({
      where: { id },
      include: { orders: { orderBy: { seq: 'asc' }, include: { fills: true } }, events: { orderBy: { id: 'asc' } } },
    });
  }

  /** Waits until the signal's status is one of `statuses` (and `extra` holds, if given). */
  async until(id: string, statuses: string[], extra: () => Promise<boolean> = async () => true, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.signal(id);
      if (statuses.includes(s.status) && (await extra())) return s;
      if (Date.now() > deadline)
        throw new Error(
          `signal ${id} is ${s.status}, not ${statuses.join('/')}: ${s.events.map((e) => `${e.type}: ${e.message}`).join(' | ')}`,
        );
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async waitFor<T>(what: string, get: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15000): Promise<T> {
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

  async account(accountId: string) {
    const a = await this.db.prisma.account.findUniqueOrThrow({
      where: { id: accountId },
      include: { positions: true },
    });
    return {
      cash: a.cash.toFixed(),
      positions: Object.fromEntries(
        a.positions.map((p) => [p.symbol, { quantity: p.quantity.toFixed(), avgPrice: p.avgPrice.toFixed() }]),
      ),
    };
  }

  async stop(): Promise<void> {
    for (const close of this.closers.splice(0)) await close();
  }
}
