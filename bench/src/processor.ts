import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createFixture } from '@utm/testkit';
import { startProcess, waitReady, type Proc } from './procs';

export interface ProcessorRun {
  replicas: number;
  signals: number;
  /** Signals taken from PENDING to their orders enqueued, per second. */
  rate: number;
  elapsedMs: number;
  orders: number;
  orderJobs: number;
}

const ACTIONS = ['openLong', 'openLong', 'closeLong', 'openShort', 'reverseToLong', 'closeLong'] as const;

/** Accepted signals as the gateway leaves them: PENDING rows, and their jobs in the queue. */
async function seed(db: Db, queue: Queue, accounts: { userId: string; accountId: string }[], perAccount: number, symbol: string): Promise<string[]> {
  const rows: { id: string; userId: string; accountId: string; action: string; request: string }[] = [];
  for (let i = 0; i < perAccount; i++) {
    for (const a of accounts) {
      const action = ACTIONS[i % ACTIONS.length] ?? 'openLong';
      const request = { symbol, action, accountId: a.accountId, ...(action.startsWith('open') || action === 'reverseToLong' ? { quantity: 1 } : {}) };
      rows.push({ id: randomUUID(), userId: a.userId, accountId: a.accountId, action, request: JSON.stringify(request) });
    }
  }
  await db.pool.query(
    `INSERT INTO signals (id, user_id, account_id, symbol, action, request)
     SELECT id, user_id, account_id, $5, action::"SignalAction", request::jsonb
     FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $6::text[]) WITH ORDINALITY AS t(id, user_id, account_id, action, request, ord) ORDER BY ord`,
    [rows.map((r) => r.id), rows.map((r) => r.userId), rows.map((r) => r.accountId), rows.map((r) => r.action), symbol, rows.map((r) => r.request)],
  );
  for (let i = 0; i < rows.length; i += 1000) {
    await queue.addBulk(rows.slice(i, i + 1000).map((r) => ({ name: JOBS.signals.name, data: { signalId: r.id, accountId: r.accountId }, opts: { jobId: r.id } })));
  }
  return rows.map((r) => r.id);
}

/**
 * The processor alone: N signals over many accounts are waiting, then `replicas` processor
 * processes start; measured from the first decision to the last, until every signal is
 * decided and every order it created has its job in the orders queue.
 */
export async function benchProcessor(opts: { databaseUrl: string; redisUrl: string; replicas: number; accounts: number; perAccount: number }): Promise<ProcessorRun> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const db = createDb({ url: opts.databaseUrl, poolMax: 4 });
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  const signalsQueue = new Queue(JOBS.signals.queue, { connection: redis, prefix });
  const ordersQueue = new Queue(JOBS.orders.queue, { connection: redis, prefix });
  const procs: Proc[] = [];
  try {
    const symbol = `B${randomUUID().slice(0, 6).toUpperCase().replace(/[^A-Z]/g, 'X')}`;
    await db.prisma.quote.create({ data: { symbol, price: '10' } });
    const accounts = [];
    for (let i = 0; i < opts.accounts; i++) accounts.push(await createFixture(db.prisma, { cash: '100000000' }));
    const ids = await seed(db, signalsQueue, accounts, opts.perAccount, symbol);
    // The partial index on PENDING signals keeps this cheap as the backlog drains.
    const accountIds = accounts.map((a) => a.accountId);
    const pending = async () =>
      Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM signals WHERE status = 'PENDING' AND account_id = ANY($1::uuid[])`, [accountIds])).rows[0]?.n ?? 0);

    for (let r = 0; r < opts.replicas; r++) {
      procs.push(
        startProcess(
          'services/signal-processor/dist/main.js',
          { DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, QUEUE_PREFIX: prefix, OPS_PORT: String(3911 + r), LOG_LEVEL: 'warn', SWEEP_GRACE_MS: '600000' },
          `signal-processor ${r + 1}`,
        ),
      );
    }
    let started = 0;
    const deadline = Date.now() + 300_000;
    for (;;) {
      const left = await pending();
      if (Date.now() > deadline) throw new Error(`processor bench: ${left} signals still PENDING after 5 minutes`);
      if (!started && left < ids.length) started = Date.now();
      if (left === 0) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    const elapsedMs = Math.max(1, Date.now() - started);
    const orders = await db.prisma.order.count({ where: { signalId: { in: ids } } });
    let orderJobs = await ordersQueue.count();
    for (let i = 0; i < 100 && orderJobs < orders; i++) {
      await new Promise((res) => setTimeout(res, 20));
      orderJobs = await ordersQueue.count();
    }
    await Promise.all(procs.map((_, r) => waitReady(`http://127.0.0.1:${3911 + r}/healthz`, 5000)));
    return { replicas: opts.replicas, signals: ids.length, rate: Math.round((ids.length * 1000) / elapsedMs), elapsedMs, orders, orderJobs };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    for (const q of [signalsQueue, ordersQueue]) {
      await q.obliterate({ force: true }).catch((err: unknown) => process.stderr.write(`bench: could not clean ${q.name}: ${String(err)}\n`));
      await q.close();
    }
    redis.disconnect();
    await db.close();
  }
}
