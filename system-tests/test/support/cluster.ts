import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { JOBS } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createRedis } from '@utm/queue';
import { encryptSecret } from '@utm/security';
import {
  assertBuilt,
  createFixture,
  describeProcesses,
  freePort,
  isolatedDatabase,
  startService,
  testRedisUrl,
  uniquePrefix,
  waitUntilReady,
  type AlpacaTestServer,
  type Fixture,
  type FixtureOptions,
  type IsolatedDatabase,
  type ServiceName,
  type ServiceProcess,
} from '@utm/testkit';

/** One running replica: its process and where it answers (the gateway's API, or OPS_PORT). */
export interface Replica {
  name: ServiceName;
  proc: ServiceProcess;
  port: number;
  url: string;
}

export interface ClusterOptions {
  label: string;
  /** SIGTERM bound of every service (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Executors send Alpaca accounts' orders here (PAPER-mode endpoints). */
  alpaca?: AlpacaTestServer;
}

/**
 * The three services as separate processes, any number of replicas of each, on a database of
 * their own (the outbox sweepers and the paper quote engine scan whole tables) and a queue
 * prefix of their own in the shared Redis. Everything a test changes goes through the
 * services' HTTP API or the tables an operator's `utm` would write.
 */
export class Cluster {
  readonly prefix = uniquePrefix('sys');
  readonly encryptionKey = randomBytes(32);
  db!: Db;
  /** Every process ever started, for failure messages. */
  readonly started: ServiceProcess[] = [];
  private database!: IsolatedDatabase;

  constructor(readonly opts: ClusterOptions) {}

  async start(): Promise<this> {
    assertBuilt('ingest-gateway', 'signal-processor', 'broker-executor');
    this.database = await isolatedDatabase(this.opts.label);
    this.db = createDb({ url: this.database.url, poolMax: 3 });
    return this;
  }

  private env(name: ServiceName, port: number): Record<string, string> {
    const common = {
      DATABASE_URL: this.database.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: this.prefix,
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: String(this.opts.shutdownTimeoutMs),
    };
    switch (name) {
      case 'ingest-gateway':
        return {
          ...common,
          DB_POOL_MAX: '4',
          PORT: String(port),
          HOST: '127.0.0.1',
          OUTBOX_INTERVAL_MS: '500',
          OUTBOX_GRACE_MS: '3000',
        };
      case 'signal-processor':
        return {
          ...common,
          DB_POOL_MAX: '5',
          OPS_PORT: String(port),
          CONCURRENCY: '2',
          SWEEP_INTERVAL_MS: '500',
          SWEEP_GRACE_MS: '3000',
        };
      case 'broker-executor': {
        const a = this.opts.alpaca;
        const alpaca: Record<string, string> = a
          ? { ALPACA_PAPER_URL: a.url, ALPACA_PAPER_STREAM_URL: a.streamUrl }
          : {};
        return {
          ...common,
          ...alpaca,
          DB_POOL_MAX: '6',
          OPS_PORT: String(port),
          CONCURRENCY: '2',
          UTM_ENCRYPTION_KEY: this.encryptionKey.toString('hex'),
          RECONCILE_INTERVAL_MS: '2000',
          BROKER_TIMEOUT_MS: '3000',
        };
      }
    }
  }

  /** Starts a replica (on `port`, e.g. a restarted one's, or a free one) and waits for /readyz. */
  async replica(name: ServiceName, port?: number): Promise<Replica> {
    const p = port ?? (await freePort());
    const proc = startService(
      name,
      this.env(name, p),
      `${name} #${this.started.filter((s) => s.name === name).length + 1} (port ${p})`,
    );
    this.started.push(proc);
    const url = `http://127.0.0.1:${p}`;
    await waitUntilReady(`${url}/readyz`, proc, 45000);
    return { name, proc, port: p, url };
  }

  /** Starts one of each, in parallel. */
  async replicas(names: ServiceName[]): Promise<Replica[]> {
    return Promise.all(names.map((n) => this.replica(n)));
  }

  describe(): string {
    return describeProcesses(this.started);
  }

  fixture(opts?: FixtureOptions): Promise<Fixture> {
    return createFixture(this.db.prisma, opts);
  }

  /** An account trading at the Alpaca contract server, its credentials encrypted as `utm account create` does. */
  async alpacaFixture(server: AlpacaTestServer, opts: FixtureOptions = {}): Promise<Fixture> {
    const f = await this.fixture({ ...opts, broker: 'alpaca' });
    const sealed = encryptSecret(
      this.encryptionKey,
      JSON.stringify({ keyId: server.keyId, secretKey: server.secretKey }),
      f.accountId,
    );
    await this.db.prisma.account.update({
      where: { id: f.accountId },
      data: { brokerCredentials: new Uint8Array(sealed) },
    });
    return f;
  }

  /** Like `utm quote set`: the paper market's price (the quotes trigger wakes the executors). */
  async quote(symbol: string, price: string): Promise<void> {
    await this.db.pool.query(
      'INSERT INTO quotes (symbol, price) VALUES ($1, $2) ON CONFLICT (symbol) DO UPDATE SET price = EXCLUDED.price, updated_at = now()',
      [symbol, price],
    );
  }

  private queues: Queue[] = [];
  private redis: ReturnType<typeof createRedis> | undefined;

  /** This cluster's BullMQ queue (signals or orders), to look at its jobs. */
  queue(name: 'signals' | 'orders'): Queue {
    const wanted = name === 'signals' ? JOBS.signals.queue : JOBS.orders.queue;
    let q = this.queues.find((x) => x.name === wanted);
    if (!q) {
      this.redis ??= createRedis(testRedisUrl(), 'worker');
      q = new Queue(wanted, { connection: this.redis, prefix: this.prefix });
      this.queues.push(q);
    }
    return q;
  }

  async stop(): Promise<void> {
    await Promise.all(this.started.map((p) => p.stop('SIGTERM', 20000)));
    for (const name of ['signals', 'orders'] as const) await this.queue(name).obliterate({ force: true });
    for (const q of this.queues) await q.close();
    this.redis?.disconnect();
    await this.db?.close();
    await this.database?.drop();
  }
}
