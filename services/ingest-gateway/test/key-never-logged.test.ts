import { uniquePrefix } from '@utm/testkit';
import { signalBody, startGateway, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';

describe('an API key sent in the query string never reaches a log', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ captureLogs: true });
  });
  afterAll(() => gw.close());

  it('on success and on every error path, at the most verbose level', async () => {
    const f = await gw.fixture({ rateLimit: 6 });
    const q = (key: string) => `${INGEST}?apiKey=${encodeURIComponent(key)}`;
    const key = f.apiKey;
    const statuses = [
      (await gw.post(q(key), signalBody(f.accountId, { idempotencyKey: 'x' }))).status, // 202
      (await gw.post(q(key), signalBody(f.accountId, { idempotencyKey: 'x', quantity: 2 }))).status, // 409
      (await gw.post(q(key), { ...signalBody(f.accountId), symbol: 'bad' })).status, // 400
      (await gw.post(q(key), '{oops')).status, // 400 malformed
      (await gw.post(q(key), 'x'.repeat(17 * 1024), { 'content-type': 'text/plain' })).status, // 413
      (await gw.post(q(key), '<a/>', { 'content-type': 'application/xml' })).status, // 415
      (await gw.post(q(key), signalBody(f.accountId))).status, // 429 (7th)
      (await gw.post(q(`${key}x`), signalBody(f.accountId))).status, // 401 unknown key
      (await fetch(`${gw.url}/api/v1/signals/nope?apiKey=${encodeURIComponent(key)}`)).status, // 404
      (await fetch(`${gw.url}/no/such/route?apiKey=${encodeURIComponent(key)}`)).status, // 404 route
    ];
    expect(statuses).toEqual([202, 409, 400, 400, 413, 415, 429, 401, 404, 404]);

    // A gateway whose Postgres is down: the 503 path logs the error at 'error' level.
    const down = await startGateway({
      databaseUrl: 'postgresql://postgres@127.0.0.1:1/x',
      captureLogs: true,
      prefix: uniquePrefix('logs'),
    });
    try {
      expect((await down.post(q(key), signalBody(f.accountId))).status).toBe(503);
      expect((await down.post(INGEST, signalBody(f.accountId), { 'x-api-key': key })).status).toBe(503);
    } finally {
      await down.close();
    }

    const lines = [...gw.logs, ...down.logs];
    expect(lines.length).toBeGreaterThan(5); // the capture works and the paths did log
    expect(down.logs.some((l) => l.includes('"level":"error"'))).toBe(true);
    const secret = key.slice('utm_paper_'.length);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain(secret.slice(0, 12));
    }
  });
});
