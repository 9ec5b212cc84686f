import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createFixture, type Fixture, uniqueSymbol } from '@utm/testkit';
import { cpuMeter, postgresPids, redisPids, type CpuUse } from './cpu';
import { paced } from './paced';
import { freePort, startProcess, until, waitReady, type Proc } from './procs';
import { quantile } from './stats';

export interface ChainResult {
  /** 2xx answers during the load window. */
  accepted: number;
  /** Requests that reached the end of the chain (a paper fill; the last worker's job). */
  done: number;
  /** done per second of load window. */
  rate: number;
  /** Acceptance → end of the chain. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
}

export interface E2ePair {
  offeredRate: number;
  durationS: number;
  warmupS: number;
  accounts: number;
  historyPerAccount: number;
  /** gateway → signal-processor → broker-executor (paper), three processes. */
  pipeline: ChainResult & {
    decideP50Ms: number;
    decideP99Ms: number;
    executeP50Ms: number;
    executeP99Ms: number;
    /** Each second's own p99 (by the second the signal was received): their median, the worst and when (s into the window). */
    p99BySecond: { median: number; worst: number; worstAt: number; all: number[] };
    /** CPU seconds per process group from the first request to the drain (load generator = this bench process). */
    cpu: CpuUse;
    /** Σ cpu / done, in ms: what one signal costs the machine. */
    cpuMsPerSignal: number;
  };
  /** bare-gateway → signals queue → bare worker → orders queue → bare worker, three processes, one SELECT 1 each. */
  baseline: ChainResult;
}

interface Opts {
  databaseUrl: string;
  redisUrl: string;
  rate: number;
  durationS: number;
  /** Seconds at the same rate before the measured window, not counted (JIT, pools, caches). */
  warmupS: number;
  accounts: number;
  /** Filled signals each account already has before the run (see seedHistory). */
  historyPerAccount: number;
}

/** A fixed offered load, evenly paced, of market openLong signals spread over the accounts. */
/** Warm-up then the measured window, as one sustained load; answers counted in the window only. */
function offer(url: string, fixtures: Fixture[], symbol: string, opts: Opts) {
  return paced({
    url,
    rate: opts.rate,
    durationS: opts.warmupS + opts.durationS,
    countFromS: opts.warmupS,
    next: (i) => {
      const f = fixtures[i % fixtures.length] as Fixture;
      return {
        headers: { 'content-type': 'application/json', 'x-api-key': f.apiKey },
        body: JSON.stringify({ symbol, action: 'openLong', accountId: f.accountId, quantity: 1 }),
      };
    },
  });
}

const ms = (v: number | null | undefined) => Math.round(v ?? 0);

async function pipeline(db: Db, fixtures: Fixture[], symbol: string, opts: Opts): Promise<E2ePair['pipeline']> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const procs: Proc[] = [];
  try {
    const env = {
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      OUTBOX_GRACE_MS: '600000',
      SWEEP_GRACE_MS: '600000',
    };
    const [gw, proc, exec] = [await freePort(), await freePort(), await freePort()];
    procs.push(startProcess('services/ingest-gateway/dist/main.js', { ...env, PORT: String(gw) }, 'ingest-gateway'));
    procs.push(
      startProcess('services/signal-processor/dist/main.js', { ...env, OPS_PORT: String(proc) }, 'signal-processor'),
    );
    procs.push(
      startProcess('services/broker-executor/dist/main.js', { ...env, OPS_PORT: String(exec) }, 'broker-executor'),
    );
    await Promise.all([gw, proc, exec].map((p) => waitReady(`http://127.0.0.1:${p}/readyz`)));
    const pid = (p: Proc | undefined) => () => (p?.child.pid === undefined ? [] : [p.child.pid]);
    const meter = cpuMeter({
      gateway: pid(procs[0]),
      processor: pid(procs[1]),
      executor: pid(procs[2]),
      postgres: postgresPids,
      redis: redisPids,
      loadgen: () => [process.pid],
    });
    const url = `http://127.0.0.1:${gw}/api/v1/signals/ingest`;
    const accountIds = fixtures.map((f) => f.accountId);
    const open = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>(
            `SELECT count(*) AS n FROM signals WHERE account_id = ANY($1::uuid[]) AND status NOT IN ('FILLED','REJECTED','FAILED')`,
            [accountIds],
          )
        ).rows[0]?.n ?? 0,
      );
    // Let the pipeline drain what was accepted (what is left after 30 s counts as not done).
    const drained = () =>
      until('the pipeline drained', async () => (await open()) === 0, 30_000, 100).catch((err: unknown) =>
        process.stderr.write(`${String(err)}\n`),
      );
    // One sustained load: warmupS seconds not counted, then the measured window, without a
    // pause between them (a pause lets the services idle and measures their restart instead).
    const t0 = (await db.pool.query<{ t: Date }>('SELECT now() AS t')).rows[0]?.t ?? new Date(0);
    const since = new Date(t0.getTime() + opts.warmupS * 1000);
    const atWindow = setTimeout(() => meter.start(), opts.warmupS * 1000);
    const load = await offer(url, fixtures, symbol, opts);
    clearTimeout(atWindow);
    await drained();
    const cpu = meter.stop();
    const { rows } = await db.pool.query<{
      done: string;
      p50: number | null;
      p99: number | null;
      max: number | null;
      d50: number | null;
      d99: number | null;
      e50: number | null;
      e99: number | null;
    }>(
      `SELECT count(*)::text AS done,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY total) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY total) AS p99, max(total) AS max,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY decide) AS d50, percentile_cont(0.99) WITHIN GROUP (ORDER BY decide) AS d99,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY execute) AS e50, percentile_cont(0.99) WITHIN GROUP (ORDER BY execute) AS e99
       FROM (SELECT extract(epoch FROM (f.at - s.received_at)) * 1000 AS total,
                    extract(epoch FROM (e.at - s.received_at)) * 1000 AS decide,
                    extract(epoch FROM (f.at - e.at)) * 1000 AS execute
             FROM signals s
             JOIN orders o ON o.signal_id = s.id AND o.role = 'ENTRY'
             JOIN fills f ON f.order_id = o.id
             JOIN signal_events e ON e.signal_id = s.id AND e.type = 'PROCESSING'
             WHERE s.account_id = ANY($1::uuid[]) AND s.received_at >= $2) t`,
      [accountIds, since],
    );
    // The run second by second: a p99 made of one bad second (a checkpoint, a vacuum) reads
    // differently from one the whole run shares.
    const perSecond = await db.pool.query<{ s: number; p99: number }>(
      `SELECT extract(epoch FROM date_trunc('second', s.received_at) - date_trunc('second', $2::timestamptz))::int AS s,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM (f.at - s.received_at)) * 1000) AS p99
       FROM signals s JOIN orders o ON o.signal_id = s.id AND o.role = 'ENTRY' JOIN fills f ON f.order_id = o.id
       WHERE s.account_id = ANY($1::uuid[]) AND s.received_at >= $2 GROUP BY 1 ORDER BY 1`,
      [accountIds, since],
    );
    const seconds = perSecond.rows.map((x) => ms(x.p99));
    const r = rows[0];
    const done = Number(r?.done ?? 0);
    return {
      accepted: load.ok,
      done,
      rate: Math.round(done / opts.durationS),
      p50Ms: ms(r?.p50),
      p99Ms: ms(r?.p99),
      maxMs: ms(r?.max),
      non2xx: load.non2xx,
      errors: load.errors,
      decideP50Ms: ms(r?.d50),
      decideP99Ms: ms(r?.d99),
      executeP50Ms: ms(r?.e50),
      executeP99Ms: ms(r?.e99),
      p99BySecond: {
        median: ms(quantile(seconds, 0.5)),
        worst: seconds.length ? Math.max(...seconds) : 0,
        worstAt: seconds.indexOf(Math.max(...seconds)),
        all: seconds,
      },
      cpu,
      cpuMsPerSignal: done ? Math.round((Object.values(cpu).reduce((a, b) => a + b, 0) * 1000 * 100) / done) / 100 : 0,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

async function baseline(fixtures: Fixture[], symbol: string, opts: Opts): Promise<ChainResult> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  const signals = new Queue(JOBS.signals.queue, { connection: redis, prefix });
  const orders = new Queue(JOBS.orders.queue, { connection: redis, prefix });
  const procs: Proc[] = [];
  try {
    const port = await freePort();
    const common = ['--prefix', prefix, '--redis', opts.redisUrl, '--db', opts.databaseUrl];
    procs.push(startProcess('bench/dist/bare-gateway.js', {}, 'bare gateway', ['--port', String(port), ...common]));
    procs.push(
      startProcess('bench/dist/bare-worker.js', {}, 'bare worker (signals)', [
        '--queue',
        'signals',
        '--forward',
        ...common,
      ]),
    );
    procs.push(startProcess('bench/dist/bare-worker.js', {}, 'bare worker (orders)', ['--queue', 'orders', ...common]));
    await waitReady(`http://127.0.0.1:${port}/`);
    await until(
      'bare workers up',
      async () => (await signals.getWorkersCount()) > 0 && (await orders.getWorkersCount()) > 0,
      30_000,
    );
    const since = Date.now() + opts.warmupS * 1000;
    const load = await offer(`http://127.0.0.1:${port}/`, fixtures, symbol, opts);
    await until(
      'the chain drained',
      async () =>
        (await orders.getJobCountByTypes('completed', 'failed')) >=
          (await signals.getJobCountByTypes('completed', 'failed')) &&
        (await signals.getJobCountByTypes('waiting', 'active')) === 0,
      30_000,
      100,
    ).catch((err: unknown) => process.stderr.write(`${String(err)}\n`));
    const added = new Map(
      (await signals.getJobs(['completed'], 0, -1)).filter((j) => j.timestamp >= since).map((j) => [j.id, j.timestamp]),
    );
    const latencies = (await orders.getJobs(['completed'], 0, -1)).flatMap((j) => {
      const at = added.get(j.id);
      return at === undefined || j.finishedOn === undefined ? [] : [j.finishedOn - at];
    });
    return {
      accepted: load.ok,
      done: latencies.length,
      rate: Math.round(latencies.length / opts.durationS),
      p50Ms: ms(quantile(latencies, 0.5)),
      p99Ms: ms(quantile(latencies, 0.99)),
      maxMs: ms(latencies.length ? Math.max(...latencies) : 0),
      non2xx: load.non2xx,
      errors: load.errors,
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    for (const q of [signals, orders]) {
      await q
        .obliterate({ force: true })
        .catch((err: unknown) => process.stderr.write(`bench: could not clean ${q.name}: ${String(err)}\n`));
      await q.close();
    }
    redis.disconnect();
  }
}

/**
 * A platform's database is never empty: each account gets a history of filled signals (with
 * their order, fill and events) and the tables are analysed, so that the planner chooses as it
 * would in production, not as for a fresh, empty database (where a sequential scan is cheapest
 * and then stays in the plan cache as the tables grow during the run).
 */
async function seedHistory(db: Db, fixtures: Fixture[], perAccount: number): Promise<void> {
  if (perAccount <= 0) return;
  await db.pool.query(
    `WITH s AS (
       INSERT INTO signals (id, user_id, account_id, symbol, action, request, status, received_at, updated_at)
       SELECT gen_random_uuid(), f.user_id, f.account_id, 'HIST', 'openLong', jsonb_build_object('symbol', 'HIST', 'action', 'openLong', 'accountId', f.account_id, 'quantity', 1),
              'FILLED', now() - interval '1 day', now() - interval '1 day'
       FROM unnest($1::uuid[], $2::uuid[]) AS f(user_id, account_id), generate_series(1, $3::int)
       RETURNING id, account_id
     ), o AS (
       INSERT INTO orders (id, signal_id, account_id, role, symbol, side, type, quantity, time_in_force, status, filled_quantity, avg_fill_price, broker_order_id, updated_at)
       SELECT gen_random_uuid(), s.id, s.account_id, 'ENTRY', 'HIST', 'BUY', 'MARKET', 1, 'GTC', 'FILLED', 1, 10, 'paper-history', now() FROM s
       RETURNING id, signal_id
     ), f AS (
       INSERT INTO fills (order_id, quantity, price, broker_fill_id) SELECT id, 1, 10, 'paper:' || id FROM o
     )
     INSERT INTO signal_events (signal_id, order_id, type, message)
     SELECT o.signal_id, o.id, t.type, t.type FROM o, unnest(ARRAY['RECEIVED', 'PROCESSING', 'ORDER_CREATED', 'ORDER_ACCEPTED', 'ORDER_FILLED', 'FILLED']) AS t(type)`,
    [fixtures.map((f) => f.userId), fixtures.map((f) => f.accountId), perAccount],
  );
  await db.pool.query('ANALYZE');
}

/**
 * End to end at a fixed offered load, then its baseline chain at the same load over the same
 * accounts. Pipeline latency is read from the database (received_at → the paper fill, split
 * at the processor's decision); the chain's from BullMQ (signals job added → orders job done).
 */
export async function benchEndToEnd(opts: Opts): Promise<E2ePair> {
  const db = createDb({ url: opts.databaseUrl, poolMax: 4 });
  try {
    const symbol = uniqueSymbol('E');
    await db.prisma.quote.create({ data: { symbol, price: '10' } });
    const fixtures: Fixture[] = [];
    for (let i = 0; i < opts.accounts; i++)
      fixtures.push(await createFixture(db.prisma, { cash: '1000000000', rateLimit: 1_000_000_000 }));
    await seedHistory(db, fixtures, opts.historyPerAccount);
    return {
      offeredRate: opts.rate,
      durationS: opts.durationS,
      warmupS: opts.warmupS,
      accounts: opts.accounts,
      historyPerAccount: opts.historyPerAccount,
      pipeline: await pipeline(db, fixtures, symbol, opts),
      baseline: await baseline(fixtures, symbol, opts),
    };
  } finally {
    await db.close();
  }
}
