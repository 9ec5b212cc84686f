import { randomBytes } from 'node:crypto';
import { JOBS, type SignalJob } from '@utm/contracts';
import { createConsumer, createRedis, UnrecoverableError, waitForRedis, type Worker } from '@utm/queue';
import { testRedisUrl } from '@utm/testkit';
import { json, signalBody, startGateway, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';
const BOARD = '/admin/queues';
const TOKEN = randomBytes(32).toString('hex');
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
  jobs: { id: string; attempts: number; failedReason?: string; data: unknown }[];
}

async function until(check: () => Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('queue board at /admin/queues', () => {
  let gw: TestGateway;
  const get = (path: string, headers: Record<string, string> = {}) => fetch(gw.url + path, { headers });
  const put = (path: string, headers: Record<string, string> = {}) => fetch(gw.url + path, { method: 'PUT', headers });
  const boardQueues = async (query = ''): Promise<BoardQueue[]> => {
    const res = await get(`${BOARD}/api/queues${query}`, bearer(TOKEN));
    expect(res.status).toBe(200);
    return ((await res.json()) as { queues: BoardQueue[] }).queues;
  };

  beforeAll(async () => {
    gw = await startGateway({ adminToken: TOKEN, captureLogs: true });
  });
  afterAll(() => gw.close());

  it.each([
    ['no credentials', {}],
    ['a wrong bearer token', bearer(randomBytes(32).toString('hex'))],
    ['the token with a character more', bearer(`${TOKEN}x`)],
    ['a prefix of the token', bearer(TOKEN.slice(0, 63))],
    ['a wrong Basic password', basic('admin', 'nope')],
    ['the token as Basic user name', basic(TOKEN, '')],
    ['another scheme', { authorization: `Token ${TOKEN}` }],
  ])('answers 401 with the JSON error body to %s, on the page, the API and the assets', async (_name, headers) => {
    for (const path of [BOARD, `${BOARD}/api/queues`, `${BOARD}/static/js/main.js`]) {
      const res = await get(path, headers as Record<string, string>);
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({
        success: false,
        error: 'INVALID_ADMIN_TOKEN',
        message: expect.stringContaining('Authorization: Bearer <ADMIN_TOKEN>'),
      });
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="utm queue board"/);
      expect(res.headers.get('x-request-id')).toBeTruthy();
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
    expect((await put(`${BOARD}/api/queues/signals/retry/failed`, headers as Record<string, string>)).status).toBe(401);
  });

  it('with the token, lists both queues under the configured prefix, and serves the page to a browser (Basic)', async () => {
    const f = await gw.fixture();
    const res = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
    expect(res.status).toBe(202);
    const signalId = String((await json(res)).signalId);

    const queues = await boardQueues('?activeQueue=signals&status=waiting');
    expect(queues.map((q) => q.name).sort()).toEqual([JOBS.orders.queue, JOBS.signals.queue]);
    const signals = queues.find((q) => q.name === JOBS.signals.queue);
    expect(signals?.counts.waiting).toBe(await gw.queue.count());
    expect(signals?.jobs.map((j) => j.id)).toContain(signalId);
    expect(signals?.jobs.find((j) => j.id === signalId)?.data).toEqual({ signalId, accountId: f.accountId });

    const page = await get(BOARD, basic('ops', TOKEN));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('x-powered-by')).toBeNull();
    const html = await page.text();
    expect(html).toContain(`<base href="${BOARD}/" />`);
    const script = /src="(static\/js\/main[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await get(`${BOARD}/${String(script)}`, basic('ops', TOKEN));
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
  });

  describe('retrying a failed job through the board', () => {
    let worker: Worker<SignalJob> | undefined;
    afterEach(async () => {
      await worker?.close();
      await worker?.disconnect();
    });

    it('runs the job again (the real retry endpoint, a real BullMQ worker)', async () => {
      const f = await gw.fixture();
      const res = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
      const signalId = String((await json(res)).signalId);
      // Fails its first run for good, succeeds afterwards.
      const runs: string[] = [];
      const conn = createRedis(testRedisUrl(), 'worker');
      await waitForRedis(conn);
      worker = createConsumer(
        JOBS.signals,
        async (data) => {
          if (data.signalId !== signalId) return;
          runs.push(data.signalId);
          if (runs.length === 1) throw new UnrecoverableError('Postgres was away');
        },
        { connection: conn, prefix: gw.prefix },
      );
      await until(async () => (await gw.queue.getJobState(signalId)) === 'failed');

      const failed = (await boardQueues('?activeQueue=signals&status=failed')).find(
        (q) => q.name === JOBS.signals.queue,
      );
      expect(failed?.jobs.find((j) => j.id === signalId)?.failedReason).toBe('Postgres was away');

      // A write that another site started is refused, even with the browser's credentials.
      const crossSite = await put(`${BOARD}/api/queues/signals/${signalId}/retry`, {
        ...bearer(TOKEN),
        'sec-fetch-site': 'cross-site',
      });
      expect(crossSite.status).toBe(403);
      expect((await json(crossSite)).error).toBe('CROSS_SITE_REQUEST');
      expect(await gw.queue.getJobState(signalId)).toBe('failed');

      const retry = await put(`${BOARD}/api/queues/signals/${signalId}/retry`, {
        ...bearer(TOKEN),
        'sec-fetch-site': 'same-origin',
      });
      expect(retry.status).toBe(204);
      await until(async () => (await gw.queue.getJobState(signalId)) === 'completed');
      expect(runs).toEqual([signalId, signalId]);
      expect((await gw.queue.getJob(signalId))?.data).toEqual({ signalId, accountId: f.accountId });
    });
  });

  it('never writes the token to the log, and records board actions', async () => {
    await get(`${BOARD}/api/queues`, bearer(TOKEN));
    await get(`${BOARD}/api/queues`, basic('admin', TOKEN));
    await get(`${BOARD}/api/queues?token=${TOKEN}`, bearer(`${TOKEN}0`));
    await put(`${BOARD}/api/queues/orders/pause`, bearer(TOKEN));
    await put(`${BOARD}/api/queues/orders/resume`, bearer(TOKEN));
    const actions = gw.logs.filter((l) => l.includes('queue board action'));
    expect(actions.map((l) => (JSON.parse(l) as { path: string }).path)).toEqual(
      expect.arrayContaining([`${BOARD}/api/queues/orders/pause`, `${BOARD}/api/queues/orders/resume`]),
    );
    const all = gw.logs.join('\n');
    expect(all).not.toContain(TOKEN);
    expect(all).not.toContain(Buffer.from(`admin:${TOKEN}`).toString('base64'));
  });
});

describe('queue board without ADMIN_TOKEN', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('is off: 404 saying how to turn it on, whatever the credentials', async () => {
    for (const path of [BOARD, `${BOARD}/api/queues`]) {
      for (const headers of [{}, bearer(TOKEN)]) {
        const res = await fetch(gw.url + path, { headers });
        expect(res.status).toBe(404);
        expect(await json(res)).toEqual({
          success: false,
          error: 'NOT_FOUND',
          message: 'The queue board is off: set ADMIN_TOKEN on the gateway to turn it on',
        });
      }
    }
  });
});
