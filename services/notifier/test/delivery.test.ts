import type { PoolClient } from 'pg';
import { WebhookReceiver } from '@utm/testkit';
import { Harness } from './support/harness';

/**
 * Deliveries to a real local receiver that verifies every request with the standardwebhooks
 * package: signatures, retries with their attempt rows, the 1 KiB answer, the timeout, no
 * redirects, disabling, the 24 h window. Clocks are the harness's own where days must pass.
 */
let h: Harness;
/** The notifier's clock runs with the wall clock, `offset` ahead: days pass in a test by moving it. */
let offset = 0;
beforeAll(async () => {
  h = await new Harness().start({ timeoutMs: 500, now: () => new Date(Date.now() + offset), random: () => 0.5 });
});
afterAll(() => h.close());
beforeEach(() => {
  offset = 0;
});

let receivers: WebhookReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  receivers = [];
});
async function receiver(): Promise<WebhookReceiver> {
  const r = await new WebhookReceiver().start();
  receivers.push(r);
  return r;
}

async function fact(signalId: string, type = 'FILLED'): Promise<void> {
  await h.db.pool.query('INSERT INTO signal_events (signal_id, type, message) VALUES ($1, $2, $3)', [
    signalId,
    type,
    `Signal ${type}`,
  ]);
}

it('delivers a signed event that the reference verifier accepts, once, with its attempt recorded', async () => {
  const f = await h.fixture();
  const r = await receiver();
  const ep = await h.endpoint(f.userId, r.url(), ['signal.filled']);
  r.useSecret(ep.secret);
  const s = await h.signal(f);
  await fact(s);
  const [d] = await h.until(
    'delivered',
    () => h.deliveriesOf(ep.id),
    (ds) => ds[0]?.status === 'DELIVERED',
  );
  expect(r.requests).toHaveLength(1);
  const got = r.delivered[0];
  expect(got?.headers['webhook-id']).toBe(d?.eventId);
  expect(got?.headers['content-type']).toBe('application/json');
  expect(got?.payload).toMatchObject({ type: 'signal.filled', data: { signalId: s, status: 'PENDING' } });
  expect(d?.attemptRows).toHaveLength(1);
  expect(d?.attemptRows[0]).toMatchObject({ statusCode: 200, error: null, response: '' });
  expect(d?.lastStatusCode).toBe(200);
});

it('retries a failing endpoint with the same webhook-id and a fresh signature, recording each attempt', async () => {
  const f = await h.fixture();
  const r = await receiver();
  const ep = await h.endpoint(f.userId, r.url(), ['signal.filled']);
  r.useSecret(ep.secret);
  const big = 'x'.repeat(5000);
  r.script.push({ status: 500, body: big }, { status: 503, body: 'later', headers: { 'retry-after': '1' } });
  await fact(await h.signal(f));
  const [d] = await h.until(
    'retried until delivered',
    () => h.deliveriesOf(ep.id),
    (ds) => ds[0]?.status === 'DELIVERED',
    25000,
  );
  expect(d?.attempts).toBe(3);
  expect(d?.attemptRows.map((a) => a.statusCode)).toEqual([500, 503, 200]);
  expect(d?.attemptRows[0]?.response).toBe('x'.repeat(1024));
  expect(d?.attemptRows[1]?.response).toBe('later');
  const ids = new Set(r.requests.map((q) => q.headers['webhook-id']));
  expect(ids).toEqual(new Set([d?.eventId]));
  expect(r.requests.every((q) => q.verified)).toBe(true);
  // The 503's Retry-After (1 s) was honoured: the third attempt came at least 1 s after the second.
  const [, second, third] = r.requests;
  expect((third?.at ?? 0) - (second?.at ?? 0)).toBeGreaterThanOrEqual(1000);
});

it('an answer not within the timeout is a failed attempt; a redirect is not followed', async () => {
  const f = await h.fixture();
  const r = await receiver();
  const target = await receiver();
  const ep = await h.endpoint(f.userId, r.url(), ['signal.filled']);
  r.useSecret(ep.secret);
  target.useSecret(ep.secret);
  r.script.push({ hang: true }, { status: 302, headers: { location: target.url() } });
  await fact(await h.signal(f));
  const [d] = await h.until(
    'two failed attempts',
    () => h.deliveriesOf(ep.id),
    (ds) => (ds[0]?.attemptRows.length ?? 0) >= 2,
    30000,
  );
  expect(d?.attemptRows[0]).toMatchObject({ statusCode: null, error: 'no answer within 500 ms' });
  expect(d?.attemptRows[0]?.durationMs).toBeGreaterThanOrEqual(450);
  expect(d?.attemptRows[1]).toMatchObject({ statusCode: 302 });
  expect(target.requests).toEqual([]);
});

it('410 Gone disables the endpoint and tells the owner’s other endpoints (webhook.disabled)', async () => {
  const f = await h.fixture();
  const gone = await receiver();
  const watcher = await receiver();
  const ep = await h.endpoint(f.userId, gone.url(), ['signal.filled']);
  const w = await h.endpoint(f.userId, watcher.url(), ['webhook.disabled']);
  gone.useSecret(ep.secret);
  watcher.useSecret(w.secret);
  gone.script.push({ status: 410 });
  const s = await h.signal(f);
  await fact(s);
  await h.until(
    'notice delivered',
    () => watcher.delivered,
    (d) => d.length === 1,
  );
  const hook = await h.db.prisma.webhook.findUniqueOrThrow({ where: { id: ep.id } });
  expect(hook).toMatchObject({ status: 'DISABLED', disabledReason: expect.stringContaining('gone (HTTP 410') });
  expect(watcher.delivered[0]?.payload).toMatchObject({
    type: 'webhook.disabled',
    data: { webhookId: ep.id, status: 'DISABLED', url: gone.url() },
  });
  expect((await h.deliveriesOf(ep.id))[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
  // Disabled: later events are not even written for it (a control endpoint shows the fact was produced).
  const control = await h.endpoint(f.userId, watcher.url('/control'), ['signal.filled']);
  await fact(s, 'FILLED');
  await h.until(
    'control delivery',
    () => h.deliveriesOf(control.id),
    (ds) => ds.length === 1,
  );
  expect(await h.deliveriesOf(ep.id)).toHaveLength(1);
});

it('an endpoint failing for 5 days is disabled, its waiting deliveries FAILED', async () => {
  const f = await h.fixture();
  const r = await receiver();
  const ep = await h.endpoint(f.userId, r.url(), ['signal.filled']);
  r.useSecret(ep.secret);
  for (let i = 0; i < 5; i++) r.script.push({ status: 500 });
  // Failing for 5 days minus a minute already.
  await h.db.prisma.webhook.update({
    where: { id: ep.id },
    data: { failingSince: new Date(Date.now() - 5 * 86400000 + 60000) },
  });
  await fact(await h.signal(f));
  const [first] = await h.until(
    'first attempt',
    () => h.deliveriesOf(ep.id),
    (ds) => ds[0]?.attempts === 1,
  );
  expect(first?.status).toBe('PENDING');
  expect(await h.db.prisma.webhook.findUniqueOrThrow({ where: { id: ep.id } })).toMatchObject({ status: 'ACTIVE' });
  // Two minutes later the retry fails too: 5 days without a 2xx.
  offset = 2 * 60000;
  await h.queue.promoteJobs();
  const [second] = await h.until(
    'disabled',
    () => h.deliveriesOf(ep.id),
    (ds) => ds[0]?.status === 'FAILED',
    20000,
  );
  expect(second?.attempts).toBe(2);
  expect(await h.db.prisma.webhook.findUniqueOrThrow({ where: { id: ep.id } })).toMatchObject({
    status: 'DISABLED',
    disabledReason: expect.stringContaining('(5 days)'),
  });
});

it('a delivery still failing after 24 h is FAILED; a success clears the endpoint’s failing time', async () => {
  const f = await h.fixture();
  const r = await receiver();
  const ep = await h.endpoint(f.userId, r.url(), ['signal.filled']);
  r.useSecret(ep.secret);
  r.script.push({ status: 500 });
  await fact(await h.signal(f));
  const [first] = await h.until(
    'first attempt',
    () => h.deliveriesOf(ep.id),
    (ds) => ds[0]?.attempts === 1,
  );
  const since = (await h.db.prisma.webhook.findUniqueOrThrow({ where: { id: ep.id } })).failingSince;
  expect(since).not.toBeNull();
  // First retry 5 s later (the schedule's first step, jitter at its middle).
  expect((first?.nextAttemptAt?.getTime() ?? 0) - (first?.attemptRows[0]?.at.getTime() ?? 0)).toBe(5000);
  offset = 24 * 3600 * 1000 + 1000;
  await h.queue.promoteJobs();
  const [failed] = await h.until(
    'failed',
    () => h.deliveriesOf(ep.id),
    (ds) => ds[0]?.status === 'FAILED',
    20000,
  );
  expect(failed).toMatchObject({ lastError: 'its 24 h of retries ended', attempts: 1 });
  // The next event is delivered (200): the endpoint is healthy again. (Back to the wall clock: a
  // receiver refuses a webhook-timestamp more than 5 minutes away from its own.)
  offset = 0;
  await fact(await h.signal(f));
  await h.until(
    'delivered',
    () => r.delivered.length,
    (n) => n === 1,
  );
  await h.until(
    'failing time cleared',
    () => h.db.prisma.webhook.findUniqueOrThrow({ where: { id: ep.id } }),
    (w) => w.failingSince === null,
  );
});

it('a hanging endpoint holds its cap of slots and no more: another endpoint is served meanwhile', async () => {
  const f = await h.fixture();
  const hang = await receiver();
  const fine = await receiver();
  const a = await h.endpoint(f.userId, hang.url(), ['signal.filled']);
  const b = await h.endpoint(f.userId, fine.url(), ['signal.filled']);
  hang.useSecret(a.secret);
  fine.useSecret(b.secret);
  for (let i = 0; i < 40; i++) hang.script.push({ hang: true });
  const signals = await Promise.all(Array.from({ length: 20 }, () => h.signal(f)));
  const c: PoolClient = await h.db.pool.connect();
  await c.query('BEGIN');
  for (const s of signals)
    await c.query('INSERT INTO signal_events (signal_id, type, message) VALUES ($1, $2, $2)', [s, 'FILLED']);
  await c.query('COMMIT');
  c.release();
  await h.until(
    'the other endpoint got all 20',
    () => fine.delivered.length,
    (n) => n === 20,
    20000,
  );
  // The hanging endpoint had exactly its cap (8) of deliveries in flight at once, never more.
  expect(hang.server.maxOpen).toBe(8);
});
