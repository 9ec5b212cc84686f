import { randomUUID } from 'node:crypto';
import { authInvalidationChannel } from '@utm/contracts';
import { createRedis, waitForRedis } from '@utm/queue';
import { testRedisUrl } from '@utm/testkit';
import { json, startGateway, signalBody, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';

describe('POST /api/v1/signals/ingest', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway({ subscribe: true });
  });
  afterAll(() => gw.close());

  describe('acceptance', () => {
    it('answers 202 only with the row committed, its RECEIVED event, and its job queued', async () => {
      const f = await gw.fixture();
      const res = await gw.post(
        INGEST,
        signalBody(f.accountId, { exitRules: { stopLoss: { type: 'PERCENT', value: 2 } } }),
        { 'x-api-key': f.apiKey },
      );
      expect(res.status).toBe(202);
      const body = await json(res);
      expect(body).toEqual({
        success: true,
        signalId: expect.any(String),
        status: 'PENDING',
        message: 'Signal received and queued for processing',
      });
      const row = await gw.db.prisma.signal.findUniqueOrThrow({
        where: { id: String(body.signalId) },
        include: { events: true },
      });
      expect(row).toMatchObject({
        status: 'PENDING',
        accountId: f.accountId,
        userId: f.userId,
        symbol: 'AAPL',
        action: 'openLong',
      });
      expect(row.request).toEqual(signalBody(f.accountId, { exitRules: { stopLoss: { type: 'PERCENT', value: 2 } } }));
      expect(row.events.map((e) => e.type)).toEqual(['RECEIVED']);
      const job = await gw.queue.getJob(String(body.signalId));
      expect(job?.data).toEqual({ signalId: body.signalId, accountId: f.accountId });
    });

    it('accepts a text/plain body holding JSON (TradingView)', async () => {
      const f = await gw.fixture();
      const res = await gw.post(INGEST, JSON.stringify(signalBody(f.accountId)), {
        'content-type': 'text/plain; charset=utf-8',
        'x-api-key': f.apiKey,
      });
      expect(res.status).toBe(202);
    });

    it('accepts the key in the apiKey query parameter', async () => {
      const f = await gw.fixture();
      const res = await gw.post(`${INGEST}?apiKey=${encodeURIComponent(f.apiKey)}`, signalBody(f.accountId));
      expect(res.status).toBe(202);
    });

    it('keeps acceptance order in seq', async () => {
      const f = await gw.fixture();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await gw.post(INGEST, signalBody(f.accountId, { comment: String(i) }), { 'x-api-key': f.apiKey });
        ids.push(String((await json(res)).signalId));
      }
      const rows = await gw.db.prisma.signal.findMany({ where: { accountId: f.accountId }, orderBy: { seq: 'asc' } });
      expect(rows.map((r) => r.id)).toEqual(ids);
    });
  });

  describe('authentication', () => {
    it.each([
      ['no key at all', {}],
      ['an unknown key', { 'x-api-key': 'utm_paper_unknownunknownunknownunknown00' }],
      ['an empty key', { 'x-api-key': '' }],
    ])('refuses %s with 401 INVALID_API_KEY', async (_name, headers) => {
      const f = await gw.fixture();
      const res = await gw.post(INGEST, signalBody(f.accountId), headers as Record<string, string>);
      expect(res.status).toBe(401);
      expect(await json(res)).toMatchObject({ success: false, error: 'INVALID_API_KEY' });
      expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(0);
    });

    it('refuses a revoked key at once (revocation pushed over Redis)', async () => {
      const f = await gw.fixture();
      expect((await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey })).status).toBe(202); // now cached
      const key = await gw.db.prisma.apiKey.update({ where: { id: f.keyId }, data: { revokedAt: new Date() } });
      // `utm key revoke` publishes the revoked key's hash; do the same.
      const pub = createRedis(testRedisUrl(), 'client');
      await waitForRedis(pub);
      await pub.publish(authInvalidationChannel(gw.prefix), key.keyHash);
      pub.disconnect();
      await new Promise((r) => setTimeout(r, 100));
      const res = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
      expect(res.status).toBe(401);
    });
  });

  describe('account and mode', () => {
    it('answers 404 alike for an unknown account, a malformed id and another user’s account', async () => {
      const mine = await gw.fixture();
      const other = await gw.fixture();
      const bodies = await Promise.all(
        [randomUUID(), 'not-a-uuid', other.accountId].map(async (accountId) => {
          const res = await gw.post(INGEST, signalBody(accountId), { 'x-api-key': mine.apiKey });
          expect(res.status).toBe(404);
          const body = await json(res);
          return { ...body, message: String(body.message).replace(accountId, '<id>') };
        }),
      );
      expect(bodies[0]).toEqual({ success: false, error: 'ACCOUNT_NOT_FOUND', message: 'Account <id> not found' });
      expect(bodies[1]).toEqual(bodies[0]);
      expect(bodies[2]).toEqual(bodies[0]);
    });

    it('refuses a PAPER key on a LIVE account with 422 MODE_MISMATCH', async () => {
      const f = await gw.fixture({ mode: 'LIVE', keyMode: 'PAPER' });
      const res = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey });
      expect(res.status).toBe(422);
      expect((await json(res)).error).toBe('MODE_MISMATCH');
    });

    it('refuses a body mode that differs from the key’s mode', async () => {
      const f = await gw.fixture();
      const res = await gw.post(INGEST, signalBody(f.accountId, { mode: 'LIVE' }), { 'x-api-key': f.apiKey });
      expect(res.status).toBe(422);
      expect((await json(res)).error).toBe('MODE_MISMATCH');
      expect(
        (await gw.post(INGEST, signalBody(f.accountId, { mode: 'PAPER' }), { 'x-api-key': f.apiKey })).status,
      ).toBe(202);
    });
  });

  describe('body', () => {
    it('refuses other content types with 415', async () => {
      const f = await gw.fixture();
      for (const type of ['application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
        const res = await gw.post(INGEST, JSON.stringify(signalBody(f.accountId)), {
          'content-type': type,
          'x-api-key': f.apiKey,
        });
        expect(res.status).toBe(415);
        expect((await json(res)).error).toBe('UNSUPPORTED_MEDIA_TYPE');
      }
    });

    it('refuses a body over 16 KiB with 413, and takes one just under', async () => {
      const f = await gw.fixture();
      const big = JSON.stringify(signalBody(f.accountId, { comment: 'x'.repeat(400) })).padEnd(16 * 1024 + 1, ' ');
      const res = await gw.post(INGEST, big, { 'x-api-key': f.apiKey });
      expect(res.status).toBe(413);
      expect((await json(res)).error).toBe('PAYLOAD_TOO_LARGE');
      const justUnder = JSON.stringify(signalBody(f.accountId)).padEnd(16 * 1024, ' ');
      expect((await gw.post(INGEST, justUnder, { 'x-api-key': f.apiKey })).status).toBe(202);
    });

    it('reports malformed JSON as VALIDATION_ERROR on field body', async () => {
      const f = await gw.fixture();
      const res = await gw.post(INGEST, '{"symbol": "AAPL",', { 'x-api-key': f.apiKey });
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body).toMatchObject({
        success: false,
        error: 'VALIDATION_ERROR',
        details: [{ field: 'body', message: expect.stringContaining('not valid JSON') }],
      });
    });

    it('reports every violation at once with its field path, and stores nothing', async () => {
      const f = await gw.fixture();
      const res = await gw.post(
        INGEST,
        {
          symbol: 'aapl',
          action: 'openLong',
          accountId: f.accountId,
          orderType: 'LIMIT',
          exitRules: { stoploss: { type: 'PERCENT', value: 1 }, takeProfit: { type: 'PRICE', value: -1 } },
        },
        { 'x-api-key': f.apiKey },
      );
      expect(res.status).toBe(400);
      const body = await json(res);
      expect(body.error).toBe('VALIDATION_ERROR');
      expect(body.details).toEqual(
        expect.arrayContaining([
          { field: 'symbol', message: 'Symbol must be uppercase' },
          { field: 'quantity', message: expect.any(String) },
          { field: 'limitPrice', message: expect.any(String) },
          { field: 'exitRules.stoploss', message: expect.any(String) },
          { field: 'exitRules.takeProfit.value', message: expect.any(String) },
        ]),
      );
      expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(0);
    });
  });

  describe('every response', () => {
    it('carries X-Request-Id, never X-Powered-By, and errors carry no stack', async () => {
      const f = await gw.fixture();
      const responses = await Promise.all([
        gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey }),
        gw.post(INGEST, signalBody(f.accountId)),
        gw.post(INGEST, '{', { 'x-api-key': f.apiKey }),
        gw.get('/nope'),
        gw.get('/healthz'),
      ]);
      for (const res of responses) {
        expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
        expect(res.headers.get('x-powered-by')).toBeNull();
        expect(await res.text()).not.toMatch(/\bat .*\.(js|ts):\d+/);
      }
      expect(responses[3]?.status).toBe(404);
    });

    it('echoes a sane incoming X-Request-Id and replaces an insane one', async () => {
      const ok = await fetch(`${gw.url}/healthz`, { headers: { 'x-request-id': 'trace-123' } });
      expect(ok.headers.get('x-request-id')).toBe('trace-123');
      const bad = await fetch(`${gw.url}/healthz`, { headers: { 'x-request-id': 'a b <script>' } });
      expect(bad.headers.get('x-request-id')).not.toBe('a b <script>');
    });
  });
});
