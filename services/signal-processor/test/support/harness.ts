import type { AddressInfo } from 'node:net';
import { Queue } from 'bullmq';
import { JOBS, type IngestRequest, type OrderJob, type SignalJob } from '@utm/contracts';
import { createDb, setRiskSettings, type Db, type Prisma, type RiskSettingsChange } from '@utm/db';
import { createGateway } from '@utm/ingest-gateway';
import { createLogger } from '@utm/logger';
import { createRedis, DEFAULT_JOB_OPTIONS, Producer, waitForRedis } from '@utm/queue';
import type { JobsOptions } from 'bullmq';
import {
  createFixture,
  postSignal,
  testDatabaseUrl,
  testRedisUrl,
  uniquePrefix,
  type Fixture,
  type FixtureOptions,
} from '@utm/testkit';
import { createSignalProcessor, type SignalProcessor } from '../../src';

const quiet = createLogger({ service: 'test', level: 'error' });

export interface ProcessorOptions {
  concurrency?: number;
  lockTimeoutMs?: number;
  sweepGraceMs?: number;
}

export interface HarnessOptions {
  /** Retry policy of the signals jobs the gateway adds (fast retries for failure tests). */
  jobOptions?: JobsOptions;
  /** A database of the test's own (see isolatedDatabase) instead of the shared one. */
  databaseUrl?: string;
  /** Turns on the gateway's queue board (/admin/queues) with this ADMIN_TOKEN. */
  adminToken?: string;
}

/**
 * A real gateway and real processors over HTTP, Postgres and BullMQ, all under one fresh
 * queue prefix: signals go in through POST /ingest exactly as a provider sends them.
 */
export class Harness {
  readonly prefix = uniquePrefix('proc');
  readonly db: Db;
  private readonly conns = [
    createRedis(testRedisUrl(), 'client'),
    createRedis(testRedisUrl(), 'producer'),
    createRedis(testRedisUrl(), 'producer'),
  ];
  private readonly signalsProducer: Producer<SignalJob>;
  readonly signalsQueue = new Queue(JOBS.signals.queue, { connection: this.conns[2]!, prefix: this.prefix });
  readonly ordersQueue = new Queue(JOBS.orders.queue, { connection: this.conns[2]!, prefix: this.prefix });
  private readonly gateway: ReturnType<typeof createGateway>;

  constructor(opts: HarnessOptions = {}) {
    this.db = createDb({ url: opts.databaseUrl ?? testDatabaseUrl(), poolMax: 12 });
    this.signalsProducer = new Producer<SignalJob>(
      JOBS.signals,
      { connection: this.conns[1]!, prefix: this.prefix },
      { jobOptions: { ...DEFAULT_JOB_OPTIONS, ...opts.jobOptions } },
    );
    // No outbox sweep: the shared test database holds other tests' PENDING signals.
    this.gateway = createGateway({
      db: this.db,
      redis: this.conns[0]!,
      producer: this.signalsProducer,
      logger: quiet,
      queuePrefix: this.prefix,
      outboxSweep: false,
      adminToken: opts.adminToken,
    });
  }
  private readonly processors: { p: SignalProcessor; close: () => Promise<void> }[] = [];
  url = '';

  async start(): Promise<this> {
    await Promise.all(this.conns.map((c) => waitForRedis(c)));
    const server = await this.gateway.listen(0, '127.0.0.1');
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this;
  }

  /** Starts one processor replica (its own Redis connections), like a separate process. */
  processor(opts: ProcessorOptions = {}): SignalProcessor {
    const workerConn = createRedis(testRedisUrl(), 'worker');
    const producerConn = createRedis(testRedisUrl(), 'producer');
    const orders = new Producer<OrderJob>(JOBS.orders, { connection: producerConn, prefix: this.prefix });
    const signals = new Producer<SignalJob>(JOBS.signals, { connection: producerConn, prefix: this.prefix });
    const p = createSignalProcessor({
      db: this.db,
      consumer: { connection: workerConn, prefix: this.prefix },
      orders,
      signals,
      logger: quiet,
      concurrency: opts.concurrency ?? 4,
      lockTimeoutMs: opts.lockTimeoutMs ?? 5000,
      sweepGraceMs: opts.sweepGraceMs ?? 60000,
    });
    this.processors.push({
      p,
      close: async () => {
        await p.close();
        await orders.close();
        await signals.close();
        workerConn.disconnect();
        producerConn.disconnect();
      },
    });
    return p;
  }

  fixture(opts?: FixtureOptions): Promise<Fixture> {
    return createFixture(this.db.prisma, opts);
  }

  send(f: Fixture, body: Partial<IngestRequest> & Record<string, unknown>): Promise<string> {
    return postSignal(this.url, f, body);
  }

  /** Waits until every given signal has left PENDING (and PROCESSING without orders). */
  async settled(ids: string[], timeoutMs = 20000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.db.prisma.signal.findMany({
        where: { id: { in: ids } },
        include: { orders: { orderBy: { seq: 'asc' } }, events: { orderBy: { id: 'asc' } } },
      });
      if (rows.length === ids.length && rows.every((r) => r.status !== 'PENDING'))
        return new Map(rows.map((r) => [r.id, r]));
      if (Date.now() > deadline)
        throw new Error(
          `signals still pending: ${rows
            .filter((r) => r.status === 'PENDING')
            .map((r) => r.id)
            .join(', ')}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async quote(symbol: string, price: string): Promise<void> {
    await this.db.prisma.quote.upsert({ where: { symbol }, create: { symbol, price }, update: { price } });
  }

  async position(accountId: string, symbol: string, quantity: string, avgPrice: string): Promise<void> {
    await this.db.prisma.position.create({ data: { accountId, symbol, quantity, avgPrice } });
  }

  async updateAccount(accountId: string, data: Prisma.AccountUpdateInput): Promise<void> {
    await this.db.prisma.account.update({ where: { id: accountId }, data });
  }

  /** Changes the account's risk settings through their one write path (as `utm account risk` does). */
  async riskSettings(accountId: string, change: RiskSettingsChange): Promise<void> {
    if (!(await setRiskSettings(this.db.prisma, accountId, change))) throw new Error(`no account ${accountId}`);
  }

  /** Closes every processor replica started so far (a test's own ones, in afterEach). */
  async stopProcessors(): Promise<void> {
    for (const { close } of this.processors.splice(0)) await close();
  }

  async stop(): Promise<void> {
    await this.stopProcessors();
    await this.gateway.close();
    for (const q of [this.signalsQueue, this.ordersQueue]) await q.obliterate({ force: true }).catch(() => undefined);
    await this.signalsQueue.close();
    await this.ordersQueue.close();
    await this.signalsProducer.close();
    for (const c of this.conns) c.disconnect();
    await this.db.close();
  }
}

/** A symbol of its own per test, so quotes (global per symbol) never collide across tests. */
export function symbolFor(label: string): string {
  return `${label
    .toUpperCase()
    .replace(/[^A-Z]/g, '')
    .slice(0, 4)}${Math.random()
    .toString(36)
    .slice(2, 7)
    .toUpperCase()
    .replace(/[^A-Z]/g, 'Q')}`.slice(0, 12);
}
