import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createFixture } from '@utm/testkit';
import { freePort, startProcess, waitReady } from './procs';

export interface LoadResult {
  /** 2xx answers per second over the measured window. */
  rate: number;
  p50: number;
  p99: number;
  accepted: number;
  non2xx: number;
  errors: number;
}

export interface IngestReport {
  gateway: LoadResult;
  bare: LoadResult;
  ratio: number;
  connections: number;
  durationS: number;
  /** Rows committed and jobs queued after the run, against the 202s counted. */
  verified: { responses202: number; rows: number; jobs: number };
}

async function load(
  url: string,
  body: string,
  headers: Record<string, string>,
  connections: number,
  duration: number,
): Promise<LoadResult> {
  const r = await autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    rate: Math.round(r['2xx'] / r.duration),
    p50: r.latency.p50,
    p99: r.latency.p99,
    accepted: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
  };
}

/**
 * Ingest alone: one gateway process over real Postgres and Redis, driven by autocannon at a
 * fixed number of connections, beside a bare node:http server answering 202 in the same run.
 * Afterwards every 202 is checked against a committed row and a queued job.
 */
export async function benchIngest(opts: {
  databaseUrl: string;
  redisUrl: string;
  connections: number;
  durationS: number;
  warmupS: number;
}): Promise<IngestReport> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const db = createDb({ url: opts.databaseUrl, poolMax: 2 });
  const f = await createFixture(db.prisma, { rateLimit: 1_000_000_000, cash: '1000000000' });
  const body = JSON.stringify({ symbol: 'AAPL', action: 'openLong', accountId: f.accountId, quantity: 10 });
  const headers = { 'x-api-key': f.apiKey };

  const barePort = await freePort();
  const gatewayPort = await freePort();
  const bare = startProcess('bench/dist/bare-server.js', {}, 'bare server', [String(barePort)]);
  const gateway = startProcess(
    'services/ingest-gateway/dist/main.js',
    {
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: opts.redisUrl,
      QUEUE_PREFIX: prefix,
      PORT: String(gatewayPort),
      LOG_LEVEL: 'warn',
      OUTBOX_GRACE_MS: '600000',
    },
    'ingest-gateway',
  );
  const redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 1 });
  const queue = new Queue(JOBS.signals.queue, { connection: redis, prefix });
  try {
    await waitReady(`http://127.0.0.1:${gatewayPort}/readyz`);
    const bareUrl = `http://127.0.0.1:${barePort}/`;
    const ingestUrl = `http://127.0.0.1:${gatewayPort}/api/v1/signals/ingest`;
    const warm = opts.warmupS > 0 ? await load(ingestUrl, body, headers, opts.connections, opts.warmupS) : undefined;
    if (opts.warmupS > 0) await load(bareUrl, body, headers, opts.connections, opts.warmupS);
    const gw = await load(ingestUrl, body, headers, opts.connections, opts.durationS);
    const baseline = await load(bareUrl, body, headers, opts.connections, opts.durationS);
    const responses202 = gw.accepted + (warm?.accepted ?? 0);
    const rows = await db.prisma.signal.count({ where: { accountId: f.accountId } });
    const jobs = await queue.count();
    return {
      gateway: gw,
      bare: baseline,
      ratio: baseline.rate ? Number((gw.rate / baseline.rate).toFixed(4)) : 0,
      connections: opts.connections,
      durationS: opts.durationS,
      verified: { responses202, rows, jobs },
    };
  } finally {
    await gateway.stop();
    await bare.stop();
    await queue
      .obliterate({ force: true })
      .catch((err: unknown) => process.stderr.write(`bench: could not clean queue ${prefix}: ${String(err)}\n`));
    await queue.close();
    redis.disconnect();
    await db.close();
  }
}
