import { randomUUID } from 'node:crypto';
import { run } from '@utm/cli';
import { createRedis, Producer } from '@utm/queue';
import { JOBS } from '@utm/contracts';
import { startRedisCluster, uniqueSymbol, type Fixture, type RedisClusterProcess } from '@utm/testkit';
import { Stack } from './support/stack';

/**
 * Issue #5: the same code on a Redis Cluster. A real three-master cluster of the test's own,
 * and the real gateway (over HTTP), signal-processor and broker-executor (their factories) on
 * it with a hash-tagged prefix: a signal goes to FILLED at the paper market's quote; the rate
 * limit and idempotency hold; `utm key revoke` and `utm signal retry` reach the services
 * through the cluster; a prefix without a hash tag is refused before anything is written.
 */
describe('the three services on a Redis Cluster', () => {
  let cluster: RedisClusterProcess;
  let s: Stack;

  beforeAll(async () => {
    cluster = await startRedisCluster();
    s = await new Stack({ redis: cluster.target, subscribe: true }).start();
  }, 90000);
  afterAll(async () => {
    await s?.stop();
    await cluster?.stop();
  }, 60000);

  const ingest = (f: Fixture, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    fetch(`${s.url}/api/v1/signals/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': f.apiKey, ...headers },
      body: JSON.stringify({ accountId: f.accountId, ...body }),
    }).then(async (r) => ({ status: r.status, headers: r.headers, json: (await r.json()) as Record<string, unknown> }));

  /** The nodes holding keys under the stack's prefix (`{…}` escaped for KEYS). */
  async function nodesHoldingPrefix(): Promise<number[]> {
    const pattern = `${s.prefix.replace(/[{}]/g, '\\$&')}:*`;
    const held = await Promise.all(
      cluster.nodes.map(async (n) => ((await n.admin.keys(pattern)).length ? [n.port] : [])),
    );
    return held.flat();
  }

  it('a signal goes from the webhook to FILLED at the quote; every key of the platform sits on one node', async () => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('C');
    await s.quote(symbol, '50');
    const id = await s.send(f, { symbol, action: 'openLong', quantity: 4 });
    const signal = await s.until(id, ['FILLED']);
    expect(
      signal.orders.map((o) => `${o.role} ${o.side} ${o.filledQuantity.toFixed()} @ ${o.avgFillPrice?.toFixed()}`),
    ).toEqual(['ENTRY BUY 4 @ 50']);
    expect((await s.account(f.accountId)).cash).toBe('99800');
    // Both queues and the rate-limit windows hash to the prefix's slot: one node holds them all.
    expect(await nodesHoldingPrefix()).toHaveLength(1);
  });

  it('the rate limit counts on the cluster: 3 of 6 accepted, the rest 429 with Retry-After', async () => {
    const f = await s.fixture({ rateLimit: 3 });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        ingest(f, { symbol: uniqueSymbol('R'), action: 'openLong', quantity: 1, price: 10 }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 202, 429, 429, 429]);
    for (const a of answers.filter((x) => x.status === 429)) {
      expect(a.json.error).toBe('RATE_LIMIT_EXCEEDED');
      expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('idempotency: the same key and body is the first signal (200 duplicate), another body is 409', async () => {
    const f = await s.fixture();
    const body = { symbol: uniqueSymbol('I'), action: 'openLong', quantity: 1, price: 10 };
    const key = `alert-${randomUUID()}`;
    const first = await ingest(f, body, { 'idempotency-key': key });
    const again = await ingest(f, body, { 'idempotency-key': key });
    const other = await ingest(f, { ...body, quantity: 2 }, { 'idempotency-key': key });
    expect(first).toMatchObject({ status: 202, json: { success: true, status: 'PENDING' } });
    expect(again).toMatchObject({ status: 200, json: { signalId: first.json.signalId, duplicate: true } });
    expect(other).toMatchObject({ status: 409, json: { error: 'IDEMPOTENCY_CONFLICT' } });
  });

  it('`utm key revoke` and `utm signal retry` reach the services through the cluster', async () => {
    const cli = async (args: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await run([...args, '--json'], {
        out: (x) => void (stdout += x),
        err: (x) => void (stderr += x),
        settings: () => ({
          databaseUrl: s.databaseUrl,
          ...cluster.target,
          encryptionKey: undefined,
          queuePrefix: s.prefix,
        }),
        db: () => s.db,
      });
      return { code, out: JSON.parse(stdout) as unknown, stderr };
    };
    const f = await s.fixture();
    const symbol = uniqueSymbol('K');
    await s.quote(symbol, '20');
    // A FAILED signal, as a broker refusal leaves it: retried, it is queued on the cluster and filled.
    const failed = await s.db.prisma.signal.create({
      data: {
        id: randomUUID(),
        userId: f.userId,
        accountId: f.accountId,
        symbol,
        action: 'openLong',
        request: { symbol, action: 'openLong', accountId: f.accountId, quantity: 2 },
        status: 'FAILED',
        errorCode: 'BROKER_ERROR',
        errorMessage: 'refused',
      },
    });
    expect(await cli(['signal', 'retry', failed.id])).toEqual({
      code: 0,
      out: { signalId: failed.id, status: 'PENDING', enqueued: true },
      stderr: '',
    });
    expect((await s.until(failed.id, ['FILLED'])).orders.map((o) => o.filledQuantity.toFixed())).toEqual(['2']);

    // The key is cached by the gateway; the revocation published on the cluster drops it at once.
    expect((await ingest(f, { symbol, action: 'closeLong' })).status).toBe(202);
    expect(await cli(['key', 'revoke', '--key', f.keyId])).toEqual({
      code: 0,
      out: { keyId: f.keyId, revoked: true },
      stderr: '',
    });
    // Within the cache's 5 s TTL: only the message can have dropped it.
    await s.waitFor(
      'the revoked key refused',
      () => ingest(f, { symbol, action: 'openLong', quantity: 1 }).then((a) => a.status),
      (status) => status === 401,
      3000,
    );
  });

  it('a prefix without a hash tag is refused with how to fix it, and writes nothing', async () => {
    const conn = createRedis(cluster.target, 'producer');
    const prefix = `exec-${randomUUID().slice(0, 8)}`;
    try {
      expect(() => new Producer(JOBS.signals, { connection: conn, prefix })).toThrow(
        `QUEUE_PREFIX "${prefix}" is not hash-tagged`,
      );
      expect(() => new Producer(JOBS.signals, { connection: conn, prefix })).toThrow(
        `Set QUEUE_PREFIX={${prefix}} (the default is {utm})`,
      );
      for (const n of cluster.nodes) expect(await n.admin.keys(`${prefix}*`)).toEqual([]);
    } finally {
      conn.disconnect();
    }
  });
});
