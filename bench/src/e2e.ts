import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { createDb } from '@utm/db';
import { createFixture, type Fixture } from '@utm/testkit';
import { startProcess, waitReady, type Proc } from './procs';

export interface StageLatency {
  /** Acceptance → the processor's decision (PROCESSING event). */
  decideP50Ms: number;
  decideP99Ms: number;
  /** Decision → paper fill. */
  executeP50Ms: number;
  executeP99Ms: number;
}

export interface E2eReport {
  offeredRate: number;
  durationS: number;
  accepted: number;
  filled: number;
  /** Signals filled per second over the load window. */
  rate: number;
  /** From the signal's acceptance (received_at) to its paper fill. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  stages: StageLatency;
}

/**
 * The whole pipeline: gateway, processor and executor as separate processes on a fresh
 * database, a fixed offered load of market openLong signals spread over many paper accounts
 * (autocannon's overallRate), then the latency of every signal from acceptance to its fill,
 * read from the database (received_at → fills.at).
 */
export async function benchEndToEnd(opts: { databaseUrl: string; redisUrl: string; rate: number; durationS: number; accounts: number }): Promise<E2eReport> {
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const db = createDb({ url: opts.databaseUrl, poolMax: 4 });
  const procs: Proc[] = [];
  try {
    const symbol = `E${randomUUID().slice(0, 6).toUpperCase().replace(/[^A-Z]/g, 'X')}`;
    await db.prisma.quote.create({ data: { symbol, price: '10' } });
    const fixtures: Fixture[] = [];
    for (let i = 0; i < opts.accounts; i++) fixtures.push(await createFixture(db.prisma, { cash: '1000000000', rateLimit: 1_000_000_000 }));
    const env = { DATABASE_URL: opts.databaseUrl, REDIS_URL: opts.redisUrl, QUEUE_PREFIX: prefix, LOG_LEVEL: 'warn', OUTBOX_GRACE_MS: '600000', SWEEP_GRACE_MS: '600000' };
    procs.push(startProcess('services/ingest-gateway/dist/main.js', { ...env, PORT: '3921' }, 'ingest-gateway'));
    procs.push(startProcess('services/signal-processor/dist/main.js', { ...env, OPS_PORT: '3922' }, 'signal-processor'));
    procs.push(startProcess('services/broker-executor/dist/main.js', { ...env, OPS_PORT: '3923' }, 'broker-executor'));
    await Promise.all([waitReady('http://127.0.0.1:3921/readyz'), waitReady('http://127.0.0.1:3922/readyz'), waitReady('http://127.0.0.1:3923/readyz')]);

    let n = 0;
    const result = await autocannon({
      url: 'http://127.0.0.1:3921/api/v1/signals/ingest',
      method: 'POST',
      connections: 16,
      overallRate: opts.rate,
      duration: opts.durationS,
      requests: [
        {
          setupRequest: (req) => {
            const f = fixtures[n++ % fixtures.length] as Fixture;
            return { ...req, headers: { 'content-type': 'application/json', 'x-api-key': f.apiKey }, body: JSON.stringify({ symbol, action: 'openLong', accountId: f.accountId, quantity: 1 }) };
          },
        },
      ],
    });
    const accountIds = fixtures.map((f) => f.accountId);
    // Let the pipeline drain what was accepted in the window.
    const deadline = Date.now() + 30_000;
    let open = 1;
    while (open > 0 && Date.now() < deadline) {
      open = Number((await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM signals WHERE account_id = ANY($1::uuid[]) AND status NOT IN ('FILLED','REJECTED','FAILED')`, [accountIds])).rows[0]?.n ?? 0);
      if (open) await new Promise((r) => setTimeout(r, 100));
    }
    const { rows } = await db.pool.query<{ filled: string; p50: number | null; p99: number | null; max: number | null }>(
      `SELECT count(*)::text AS filled,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50,
              percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99,
              max(ms) AS max
       FROM (SELECT extract(epoch FROM (f.at - s.received_at)) * 1000 AS ms
             FROM signals s JOIN orders o ON o.signal_id = s.id AND o.role = 'ENTRY' JOIN fills f ON f.order_id = o.id
             WHERE s.account_id = ANY($1::uuid[])) t`,
      [accountIds],
    );
    const r = rows[0];
    const filled = Number(r?.filled ?? 0);
    const stage = await db.pool.query<{ d50: number | null; d99: number | null; e50: number | null; e99: number | null }>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY decide) AS d50, percentile_cont(0.99) WITHIN GROUP (ORDER BY decide) AS d99,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY execute) AS e50, percentile_cont(0.99) WITHIN GROUP (ORDER BY execute) AS e99
       FROM (SELECT extract(epoch FROM (e.at - s.received_at)) * 1000 AS decide, extract(epoch FROM (f.at - e.at)) * 1000 AS execute
             FROM signals s JOIN signal_events e ON e.signal_id = s.id AND e.type = 'PROCESSING'
             JOIN orders o ON o.signal_id = s.id AND o.role = 'ENTRY' JOIN fills f ON f.order_id = o.id
             WHERE s.account_id = ANY($1::uuid[])) t`,
      [accountIds],
    );
    const st = stage.rows[0];
    return {
      offeredRate: opts.rate,
      durationS: opts.durationS,
      accepted: result['2xx'],
      filled,
      rate: Math.round(filled / opts.durationS),
      p50Ms: Math.round(r?.p50 ?? 0),
      p99Ms: Math.round(r?.p99 ?? 0),
      maxMs: Math.round(r?.max ?? 0),
      stages: {
        decideP50Ms: Math.round(st?.d50 ?? 0),
        decideP99Ms: Math.round(st?.d99 ?? 0),
        executeP50Ms: Math.round(st?.e50 ?? 0),
        executeP99Ms: Math.round(st?.e99 ?? 0),
      },
    };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await db.close();
  }
}
