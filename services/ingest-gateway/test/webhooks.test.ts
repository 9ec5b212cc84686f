import { randomBytes } from 'node:crypto';
import { decryptWebhookCredentials } from '@utm/security';
import { json, startGateway, type TestGateway } from './support/gateway';

/**
 * POST/GET/DELETE /api/v1/webhooks, test events, the delivery log and manual retries, over
 * HTTP against the real gateway. Deliveries themselves are the notifier's (its own tests).
 */
const key = randomBytes(32);
let gw: TestGateway;
const publicResolver = async (host: string) =>
  host === 'internal.example' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '93.184.216.34', family: 4 }];

beforeAll(async () => {
  gw = await startGateway({
    encryptionKey: key,
    webhookPolicy: { allowPrivate: false },
    webhookResolve: publicResolver,
    captureLogs: true,
  });
});
afterAll(() => gw.close());

const send = (method: string, path: string, apiKey: string, body?: unknown) =>
  fetch(gw.url + path, {
    method,
    headers: { 'x-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

it('creates an endpoint: the whsec_ secret once, URL and secret stored encrypted, listed without them', async () => {
  const f = await gw.fixture();
  const res = await send('POST', '/api/v1/webhooks', f.apiKey, {
    url: 'https://hooks.example.com/utm?token=s3cret',
    events: ['signal.filled', 'order.filled'],
    description: 'my bot',
  });
  expect(res.status).toBe(201);
  const body = await json(res);
  expect(body).toMatchObject({
    webhookId: expect.any(String),
    secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
    kind: 'webhook',
    url: 'https://hooks.example.com/utm?…',
    events: ['signal.filled', 'order.filled'],
    status: 'ACTIVE',
  });
  const row = await gw.db.prisma.webhook.findUniqueOrThrow({ where: { id: String(body.webhookId) } });
  expect(Buffer.from(row.credentials).toString('latin1')).not.toContain('s3cret');
  expect(decryptWebhookCredentials(key, row.id, row.credentials)).toEqual({
    url: 'https://hooks.example.com/utm?token=s3cret',
    secret: body.secret,
  });
  const list = await json(await gw.get('/api/v1/webhooks', f.apiKey));
  expect(list.webhooks).toEqual([
    expect.objectContaining({ webhookId: body.webhookId, url: 'https://hooks.example.com/utm?…' }),
  ]);
  expect(JSON.stringify(list)).not.toContain('whsec_');
  expect(JSON.stringify(list)).not.toContain('s3cret');
  // Logged (the creation is), but never the URL's secret part nor the signing secret.
  const logs = gw.logs.join('\n');
  expect(logs).toContain('webhook created');
  expect(logs).not.toContain('s3cret');
  expect(logs).not.toContain(String(body.secret));
});

it.each([
  [{ url: 'https://h.example/x', events: [] }, 'events'],
  [{ url: 'https://h.example/x', events: ['signal.exploded'] }, 'events.0'],
  [{ url: 'ftp://h.example/x', events: ['signal.filled'] }, 'url'],
  [{ url: 'https://h.example/x', events: ['signal.filled'], kind: 'discord' }, 'url'],
  [{ url: 'https://h.example/x', events: ['signal.filled'], secret: 'mine' }, 'secret'],
])('refuses %j (400 on %s)', async (body, field) => {
  const f = await gw.fixture();
  const res = await send('POST', '/api/v1/webhooks', f.apiKey, body);
  expect(res.status).toBe(400);
  const b = await json(res);
  expect(b.error).toBe('VALIDATION_ERROR');
  expect(b.details?.map((d) => d.field)).toContain(field);
});

it('refuses a URL that resolves to an internal address (422 WEBHOOK_URL_REFUSED)', async () => {
  const f = await gw.fixture();
  for (const url of [
    'https://internal.example/x',
    'http://127.0.0.1:8080/x',
    'http://[::1]/x',
    'http://169.254.169.254/latest',
  ]) {
    const res = await send('POST', '/api/v1/webhooks', f.apiKey, { url, events: ['signal.filled'] });
    expect({ url, status: res.status, error: (await json(res)).error }).toEqual({
      url,
      status: 422,
      error: 'WEBHOOK_URL_REFUSED',
    });
  }
  expect(await gw.db.prisma.webhook.count({ where: { userId: f.userId } })).toBe(0);
});

it('test event, delivery log, manual retry; another user sees 404; DELETE ends it', async () => {
  const f = await gw.fixture();
  const other = await gw.fixture();
  const created = await json(
    await send('POST', '/api/v1/webhooks', f.apiKey, {
      url: `https://api.telegram.org/bot123456:${'A'.repeat(35)}/sendMessage?chat_id=42`,
      kind: 'telegram',
      events: ['account.halted'],
    }),
  );
  expect(created.url).toBe('https://api.telegram.org/bot…/sendMessage?chat_id=42');
  const id = String(created.webhookId);
  const test = await send('POST', `/api/v1/webhooks/${id}/test`, f.apiKey);
  expect(test.status).toBe(202);
  const t = await json(test);
  expect(t).toMatchObject({
    deliveryId: expect.any(String),
    eventId: expect.stringMatching(/^msg_/),
    status: 'PENDING',
  });
  expect(await gw.deliveriesQueue.getJobState(String(t.deliveryId))).toBe('waiting');

  // As the notifier would record a failed attempt:
  await gw.db.prisma.webhookDelivery.update({
    where: { id: String(t.deliveryId) },
    data: { status: 'FAILED', attempts: 1, lastStatusCode: 500, nextAttemptAt: null },
  });
  await gw.db.prisma.webhookAttempt.create({
    data: { deliveryId: String(t.deliveryId), statusCode: 500, durationMs: 12, response: 'oops' },
  });
  const log = await json(await gw.get(`/api/v1/webhooks/${id}/deliveries`, f.apiKey));
  expect(log).toEqual({
    deliveries: [
      expect.objectContaining({
        deliveryId: t.deliveryId,
        event: 'webhook.test',
        status: 'FAILED',
        attempts: 1,
        lastResponseCode: 500,
        nextAttemptAt: null,
        attemptLog: [expect.objectContaining({ statusCode: 500, durationMs: 12, response: 'oops' })],
      }),
    ],
    nextCursor: null,
  });
  await gw.deliveriesQueue.remove(String(t.deliveryId));
  const retry = await send('POST', `/api/v1/webhooks/${id}/deliveries/${t.deliveryId}/retry`, f.apiKey);
  expect(retry.status).toBe(202);
  expect(await gw.db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id: String(t.deliveryId) } })).toMatchObject({
    status: 'PENDING',
    attempts: 1,
  });
  expect(await gw.deliveriesQueue.getJobState(String(t.deliveryId))).toBe('waiting');

  for (const [method, path] of [
    ['POST', `/api/v1/webhooks/${id}/test`],
    ['GET', `/api/v1/webhooks/${id}/deliveries`],
    ['POST', `/api/v1/webhooks/${id}/deliveries/${t.deliveryId}/retry`],
    ['DELETE', `/api/v1/webhooks/${id}`],
  ] as const) {
    const res = await send(method, path, other.apiKey);
    expect({ path, status: res.status, error: (await json(res)).error }).toEqual({
      path,
      status: 404,
      error: 'WEBHOOK_NOT_FOUND',
    });
  }
  expect((await send('POST', `/api/v1/webhooks/${id}/deliveries/${other.accountId}/retry`, f.apiKey)).status).toBe(404);
  expect((await send('DELETE', `/api/v1/webhooks/${id}`, f.apiKey)).status).toBe(204);
  expect((await json(await gw.get('/api/v1/webhooks', f.apiKey))).webhooks).toEqual([]);
  expect((await send('DELETE', `/api/v1/webhooks/${id}`, f.apiKey)).status).toBe(404);
});

it('a disabled endpoint takes no test event and no retry (409 WEBHOOK_DISABLED)', async () => {
  const f = await gw.fixture();
  const created = await json(
    await send('POST', '/api/v1/webhooks', f.apiKey, { url: 'https://h.example/a', events: ['signal.filled'] }),
  );
  await gw.db.prisma.webhook.update({
    where: { id: String(created.webhookId) },
    data: { status: 'DISABLED', disabledReason: 'gone' },
  });
  const res = await send('POST', `/api/v1/webhooks/${created.webhookId}/test`, f.apiKey);
  expect(res.status).toBe(409);
  expect((await json(res)).error).toBe('WEBHOOK_DISABLED');
});

it('without UTM_ENCRYPTION_KEY the gateway refuses to create endpoints (503), and says why', async () => {
  const bare = await startGateway({ webhookResolve: publicResolver });
  try {
    const f = await bare.fixture();
    const res = await fetch(`${bare.url}/api/v1/webhooks`, {
      method: 'POST',
      headers: { 'x-api-key': f.apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'https://h.example/x', events: ['signal.filled'] }),
    });
    expect(res.status).toBe(503);
    expect((await json(res)).message).toMatch(/UTM_ENCRYPTION_KEY/);
  } finally {
    await bare.close();
  }
});
