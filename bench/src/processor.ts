import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createFixture, uniqueSymbol } from '@utm/testkit';
import { freePort, startProcess, until, type Proc } from './procs';
import { drainStats, type DrainStats } from './stats';

/**
 * Jobs in hand at once, the same on both sides: the processor's defaults (CONCURRENCY 2
 * batches in flight × BATCH_SIZE 32 jobs each), the bare worker's BullMQ concurrency.
 */
const BATCHES_IN_FLIGHT = 2;
const BATCH_SIZE = 32;
const JOBS_IN_HAND = BATCHES_IN_FLIGHT * BATCH_SIZE;

export interface ProcessorRun {
  replicas: number;
  accounts: number;
  signals: number;
  /**
   * The signal-processor: every signal decided, its orders written and enqueued. A job
   * decides all its account's pending signals, so the signals are decided well before the
   * last job (which then finds nothing) finishes: `decidedMs` is first job taken → last decision.
   */
  processor: DrainStats & { orders: number; orderJobs: number; decidedMs: number; decidedPerS: number };
  /** The same jobs through a bare BullMQ worker doing one no-op SQL each (bare-worker.ts). */
  baseline: DrainStats;
  /** processor rate / baseline rate. */
  ratio: number;
}

const ACTIONS = ['openLong', 'openLong', 'closeLong', 'openShort', 'reverseToLong', 'closeLong'] as const;

/**
 * Accepted signals as the gateway leaves them: PENDING rows, and their jobs in the queue. The
 * i-th signal of every account is in symbol i: a signal waits for the earlier orders of its
 * account in its own symbol to be worked (the processor's settlement rule), and this stage runs
 * no executor, so each account's signals are spread over symbols to be decided by the processor alone.
 */
async function seed(
  db: Db,
  queue: Queue,
  accounts: { userId: string; accountId: string }[],
  perAccount: number,
  symbols: string[],
): Promise<string[]> {
  const rows: { id: string; userId: string; accountId: string; action: string; request: string; symbol: string }[] = [];
  for (let i = 0; i < perAccount; i++) {
    const symbol = symbols[i] ?? '';
    for (const a of accounts) {
      const action = ACTIONS[i % ACTIONS.length] ?? 'openLong';
      const request = {
        symbol,
        action,
        accountId: a.accountId,
        ...(action.startsWith('open') || action === 'reverseToLong' ? { quantity: 1 } : {}),
      };
      rows.push({
        id: randomUUID(),
        userId: a.userId,
        accountId: a.accountId,
        action,
        request: JSON.stringify(request),
        symbol,
      });
    }
  }
  await db.pool.query(
    `INSERT INTO signals (id, user_id, account_id, symbol, action, request)
     SELECT id, user_id, account_id, symbol, action::"SignalAction", request::jsonb
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS t(id, user_id, account_id, action, symbol, request, ord) ORDER BY ord`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.userId),
      rows.map((r) => r.accountId),
      rows.map((r) => r.action),
      rows.map((r) => r.symbol),
      rows.map((r) => r.request),
    ],
  );
  for (let i = 0; i < rows.length; i += 1000) {
    await queue.addBulk(
      rows.slice(i, i + 1000).map((r) => ({
        name: JOBS.signals.name,
        data: { signalId: r.id, accountId: r.accountId },
        opts: { jobId: r.id },
      })),
    );
  }
  return rows.map((r) => r.id);
}

interface RunOpts {
  databaseUrl: string;
  redisUrl: string;
  replicas: number;
  accounts: number;
  perAccount: number;
}

/** Starts `replicas` processes, waits until every job of the queue has finished, stops them. */
async function drain(
  queue: Queue,
  expected: number,
  start: (replica: number) => Promise<Proc>,
  replicas: number,
): Promise<DrainStats> {
  const procs: Proc[] = [];
  try {
    for (let r = 0; r < replicas; r++) procs.push(await start(r));
    await until(
      `${expected} ${queue.name} jobs finished`,
      async () => (await queue.getJobCountByTypes('completed', 'failed')) >= expected,
      300_000,
    );
    return drainStats(await queue.getJobs(['completed'], 0, -1), await queue.getFailedCount());
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

/**
 * The processor beside its baseline: N signals over many accounts wait with their jobs
 * queued, then `replicas` processor processes drain them; then the same jobs, under a fresh
 * prefix, are drained by as many bare workers (one SELECT 1 per job, as many jobs in hand).
 * Throughput is measured from the jobs' own timestamps, first start to last finish.
 */
export async function benchProcessor(opts: RunOpts): Promise<ProcessorRun> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const basePrefix = `bench-${randomUUID().slice(0, 8)}`;
  const db = createDb({ url: opts.databaseUrl, poolMax: 4 });
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  const signalsQueue = new Queue(JOBS.signals.queue, { connection: redis, prefix });
  const ordersQueue = new Queue(JOBS.orders.queue, { connection: redis, prefix });
  const baselineQueue = new Queue(JOBS.signals.queue, { connection: redis, prefix: basePrefix });
  try {
    const base = uniqueSymbol('B');
    const symbols = Array.from({ length: opts.perAccount }, (_, i) => `${base}${i}`);
    await db.prisma.quote.createMany({ data: symbols.map((symbol) => ({ symbol, price: '10' })) });
    const accounts = [];
    for (let i = 0; i < opts.accounts; i++) accounts.push(await createFixture(db.prisma, { cash: '100000000' }));
    const ids = await seed(db, signalsQueue, accounts, opts.perAccount, symbols);
    const env = {
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      SWEEP_GRACE_MS: '600000',
      CONCURRENCY: String(BATCHES_IN_FLIGHT),
      BATCH_SIZE: String(BATCH_SIZE),
    };
    const processor = await drain(
      signalsQueue,
      ids.length,
      async (r) =>
        startProcess(
          'services/signal-processor/dist/main.js',
          { ...env, OPS_PORT: String(await freePort()) },
          `signal-processor ${r + 1}`,
        ),
      opts.replicas,
    );
    const pending = await db.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM signals WHERE status = 'PENDING' AND id = ANY($1::uuid[])`,
      [ids],
    );
    if (Number(pending.rows[0]?.n) !== 0)
      throw new Error(`processor bench: ${pending.rows[0]?.n} signals still PENDING after their jobs finished`);
    const lastDecision = await db.pool.query<{ at: Date }>(
      `SELECT max(at) AS at FROM signal_events WHERE signal_id = ANY($1::uuid[])`,
      [ids],
    );
    const decidedMs = Math.max(1, (lastDecision.rows[0]?.at.getTime() ?? 0) - processor.firstTakenAt);
    const orders = await db.prisma.order.count({ where: { signalId: { in: ids } } });
    let orderJobs = await ordersQueue.count();
    for (let i = 0; i < 100 && orderJobs < orders; i++) {
      await new Promise((res) => setTimeout(res, 20));
      orderJobs = await ordersQueue.count();
    }

    const jobs = await signalsQueue.getJobs(['completed'], 0, -1);
    for (let i = 0; i < jobs.length; i += 1000) {
      await baselineQueue.addBulk(
        jobs
          .slice(i, i + 1000)
          .map((j) => ({ name: JOBS.signals.name, data: j.data as unknown, opts: { jobId: j.id ?? randomUUID() } })),
      );
    }
    const args = [
      '--queue',
      'signals',
      '--prefix',
      basePrefix,
      '--redis',
      opts.redisUrl,
      '--db',
      opts.databaseUrl,
      '--concurrency',
      String(JOBS_IN_HAND),
    ];
    const baseline = await drain(
      baselineQueue,
      jobs.length,
      async (r) => startProcess('bench/dist/bare-worker.js', {}, `bare worker ${r + 1}`, args),
      opts.replicas,
    );
    return {
      replicas: opts.replicas,
      accounts: opts.accounts,
      signals: ids.length,
      processor: {
        ...processor,
        orders,
        orderJobs,
        decidedMs,
        decidedPerS: Math.round((ids.length * 1000) / decidedMs),
      },
      baseline,
      ratio: baseline.rate ? Number((processor.rate / baseline.rate).toFixed(3)) : 0,
    };
  } finally {
    for (const q of [signalsQueue, ordersQueue, baselineQueue]) {
      await q
        .obliterate({ force: true })
        .catch((err: unknown) => process.stderr.write(`bench: could not clean ${q.name}: ${String(err)}\n`));
      await q.close();
    }
    redis.disconnect();
    await db.close();
  }
}
