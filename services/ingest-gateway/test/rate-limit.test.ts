import { json, signalBody, startGateway, type TestGateway } from './support/gateway';
import { uniquePrefix } from '@utm/testkit';

const INGEST = '/api/v1/signals/ingest';

describe('rate limit (rolling minute per key, in Redis)', () => {
  const prefix = uniquePrefix('rl');
  let a: TestGateway;
  let b: TestGateway;
  beforeAll(async () => {
    a = await startGateway({ prefix });
    b = await startGateway({ prefix, db: a.db });
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('answers 429 with Retry-After past the key’s limit, and counts nothing for the refused', async () => {
    const f = await a.fixture({ rateLimit: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await a.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey })).status);
    expect(statuses).toEqual([202, 202, 202, 429, 429]);
    const res = await a.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await json(res)).toMatchObject({ success: false, error: 'RATE_LIMIT_EXCEEDED' });
    expect(await a.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(3);
  });

  it('is shared by two gateway instances', async () => {
    const f = await a.fixture({ rateLimit: 10 });
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 ? a : b).post(INGEST, signalBody(f.accountId, { comment: String(i) }), { 'x-api-key': f.apiKey }),
      ),
    );
    const accepted = responses.filter((r) => r.status === 202).length;
    const limited = responses.filter((r) => r.status === 429).length;
    expect(accepted).toBe(10);
    expect(limited).toBe(20);
  });

  it('limits each key on its own', async () => {
    const x = await a.fixture({ rateLimit: 1 });
    const y = await a.fixture({ rateLimit: 1 });
    expect((await a.post(INGEST, signalBody(x.accountId), { 'x-api-key': x.apiKey })).status).toBe(202);
    expect((await a.post(INGEST, signalBody(y.accountId), { 'x-api-key': y.apiKey })).status).toBe(202);
    expect((await b.post(INGEST, signalBody(x.accountId), { 'x-api-key': x.apiKey })).status).toBe(429);
  });
});
