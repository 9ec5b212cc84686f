import { isolatedDatabase, uniquePrefix, testRedisUrl, type IsolatedDatabase } from '@utm/testkit';
import { json, signalBody, startGateway, type TestGateway } from './support/gateway';
import { TcpProxy } from './support/tcp-proxy';

const INGEST = '/api/v1/signals/ingest';

describe('no signal lost when Redis fails between commit and enqueue', () => {
  const redis = new URL(testRedisUrl());
  const proxy = new TcpProxy(redis.hostname, Number(redis.port || 6379));
  let gw: TestGateway;
  let database: IsolatedDatabase;

  beforeAll(async () => {
    await proxy.up();
    // The sweeper re-enqueues every PENDING signal of its database: a database of its own
    // keeps other tests' rows out. Only the producer goes through the proxy.
    database = await isolatedDatabase('outbox');
    gw = await startGateway({
      databaseUrl: database.url,
      producerRedisUrl: proxy.url,
      outboxIntervalMs: 100,
      outboxGraceMs: 500,
    });
  });
  afterAll(async () => {
    await gw.close();
    await proxy.down();
    await database.drop();
  });

  it('answers 202 with the signal in the outbox, then enqueues it once Redis is back', async () => {
    const f = await gw.fixture();
    // Warm up: the producer's connection is established and working.
    expect((await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey })).status).toBe(202);

    await proxy.down();
    const res = await gw.post(INGEST, signalBody(f.accountId, { comment: 'during outage' }), { 'x-api-key': f.apiKey });
    expect(res.status).toBe(202);
    const { signalId } = await json(res);
    const row = await gw.db.prisma.signal.findUniqueOrThrow({ where: { id: String(signalId) } });
    expect(row.status).toBe('PENDING');
    expect(await gw.queue.getJob(String(signalId))).toBeUndefined();
    // The sweeper keeps trying while Redis is away; nothing reaches the queue.
    await new Promise((r) => setTimeout(r, 800));
    expect(await gw.queue.getJob(String(signalId))).toBeUndefined();

    await proxy.up();
    const deadline = Date.now() + 15000;
    let job = await gw.queue.getJob(String(signalId));
    while (!job && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      job = await gw.queue.getJob(String(signalId));
    }
    expect(job?.data).toEqual({ signalId, accountId: f.accountId });
    // The warm-up signal's job was not added twice by the sweeps.
    expect(await gw.queue.getJobCounts('waiting')).toEqual({ waiting: 2 });
  });
});

describe('dependencies down', () => {
  let live: TestGateway;
  beforeAll(async () => {
    live = await startGateway();
  });
  afterAll(() => live.close());

  it('answers 503 SERVICE_UNAVAILABLE quickly when Postgres is down, accepting nothing', async () => {
    const f = await live.fixture();
    const gw = await startGateway({
      databaseUrl: 'postgresql://postgres@127.0.0.1:1/utm_test',
      prefix: uniquePrefix('pgdown'),
    });
    try {
      const started = Date.now();
      const res = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(res.status).toBe(503);
      expect(await json(res)).toMatchObject({ success: false, error: 'SERVICE_UNAVAILABLE' });
      const ready = await gw.get('/readyz');
      expect(ready.status).toBe(503);
      expect(await json(ready)).toMatchObject({ checks: { postgres: 'down', redis: 'up' } });
      expect(await live.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(0);
    } finally {
      await gw.close();
    }
  });

  it('still accepts signals while the rate limiter’s Redis is down (Postgres holds them)', async () => {
    const gw = await startGateway({ clientRedisUrl: 'redis://127.0.0.1:1', db: live.db });
    try {
      const f = await gw.fixture();
      const res = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
      expect(res.status).toBe(202);
      expect((await gw.get('/readyz')).status).toBe(503);
    } finally {
      await gw.close();
    }
  });
});
