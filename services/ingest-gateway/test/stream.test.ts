import { Client } from 'pg';
import { createDb, type Db } from '@utm/db';
import { redactString } from '@utm/logger';
import { isolatedDatabase, postSignal, type Fixture, type IsolatedDatabase } from '@utm/testkit';
import { startGateway, type TestGateway } from './support/gateway';
import { SseClient } from './support/sse';

/**
 * GET /api/v1/signals/stream over real HTTP, on a database of its own: the feed follows the
 * whole signal_events table, and the exact-resume assertions need no other writer in it.
 */
const STREAM = '/api/v1/signals/stream';
const FAST = { pollIntervalMs: 40, heartbeatMs: 150, maxReplay: 50 };

let iso: IsolatedDatabase;
let db: Db;
let gw: TestGateway;

beforeAll(async () => {
  iso = await isolatedDatabase('stream');
  db = createDb({ url: iso.url, poolMax: 10 });
  gw = await startGateway({ db, stream: FAST, captureLogs: true });
});

afterAll(async () => {
  await gw.close();
  await db.close();
  await iso.drop();
});

/** A status change as the processor or executor writes it: the signal and its event, one statement. */
async function transition(signalId: string, status: string, type = status): Promise<void> {
  await db.pool.query(
    `WITH u AS (UPDATE signals SET status = $2::"SignalStatus", updated_at = now() WHERE id = $1 RETURNING id)
     INSERT INTO signal_events (signal_id, type, message) SELECT id, $3, $4 FROM u`,
    [signalId, status, type, `now ${status}`],
  );
}

const open = (f: Fixture, headers: Record<string, string> = {}) =>
  SseClient.open(gw.url + STREAM, { 'x-api-key': f.apiKey, ...headers });
const ready = (c: SseClient) => c.until('ready', (x) => x.messages.some((m) => m.event === 'ready'));
const types = (c: SseClient) => c.signals().map((m) => `${m.signal.signalId.slice(0, 8)}:${m.event.type}`);
const tag = (id: string, type: string) => `${id.slice(0, 8)}:${type}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('refuses a missing or unknown key (401) and a malformed Last-Event-ID (400)', async () => {
  const f = await gw.fixture();
  const none = await fetch(gw.url + STREAM);
  expect(none.status).toBe(401);
  expect(await none.json()).toMatchObject({ success: false, error: 'INVALID_API_KEY' });
  expect((await fetch(`${gw.url}${STREAM}?apiKey=utm_paper_nosuchkeynosuchkey`)).status).toBe(401);
  for (const bad of ['abc', '-1', '99999999999999999999']) {
    const res = await fetch(gw.url + STREAM, { headers: { 'x-api-key': f.apiKey, 'last-event-id': bad } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'VALIDATION_ERROR', details: [{ field: 'Last-Event-ID' }] });
  }
});

it("streams the user's own signals live, shaped like the list's items, and nothing of another user's", async () => {
  const a = await gw.fixture();
  const b = await gw.fixture();
  const sa = await open(a);
  const sb = await SseClient.open(`${gw.url}${STREAM}?apiKey=${encodeURIComponent(b.apiKey)}`); // EventSource's way
  try {
    expect(sa.status).toBe(200);
    expect(sa.res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(sa.res.headers.get('cache-control')).toContain('no-cache');
    await Promise.all([ready(sa), ready(sb)]);
    expect(sa.messages[0]?.retry).toBeDefined();

    const idA = await postSignal(gw.url, a, { action: 'openLong', quantity: 1 });
    const idB = await postSignal(gw.url, b, { action: 'openLong', quantity: 2 });
    await transition(idA, 'PROCESSING');
    await transition(idA, 'FILLED');
    await sa.until('3 events of A', (c) => c.signals().length >= 3);
    await sb.until('1 event of B', (c) => c.signals().length >= 1);

    expect(types(sa)).toEqual([tag(idA, 'RECEIVED'), tag(idA, 'PROCESSING'), tag(idA, 'FILLED')]);
    expect(types(sb)).toEqual([tag(idB, 'RECEIVED')]);
    const msgs = sa.signals();
    const last = msgs[2];
    expect(last?.signal.status).toBe('FILLED');
    // Event ids increase, and with nothing in flight the resume point is the event's own id.
    const ids = msgs.map((m) => BigInt(m.event.id));
    expect([...ids].sort((x, y) => (x < y ? -1 : 1))).toEqual(ids);
    expect(msgs.map((m) => m.sseId)).toEqual(msgs.map((m) => m.event.id));
    expect(last?.event).toMatchObject({ type: 'FILLED', message: 'now FILLED', at: expect.any(String) });
    // The payload's signal is exactly a GET /api/v1/signals item.
    const list = (await (await gw.get(`/api/v1/signals?accountId=${a.accountId}`, a.apiKey)).json()) as {
      signals: unknown[];
    };
    expect(list.signals[0]).toEqual(last?.signal);
  } finally {
    await sa.close();
    await sb.close();
  }
});

it('resumes after Last-Event-ID (header, or query for a manual reconnect) with exactly what was missed', async () => {
  const f = await gw.fixture();
  const first = await open(f);
  await ready(first);
  const s1 = await postSignal(gw.url, f, { action: 'openLong', quantity: 1 });
  await first.until('RECEIVED', (c) => c.signals().length === 1);
  const seen = first.signals()[0]?.sseId ?? '';
  await first.close();

  await transition(s1, 'PROCESSING');
  await transition(s1, 'FILLED');
  const s2 = await postSignal(gw.url, f, { action: 'openLong', quantity: 2 });

  const resumed = await open(f, { 'last-event-id': seen });
  try {
    await resumed.until('3 missed events', (c) => c.signals().length >= 3);
    await sleep(300); // a few more passes: nothing is sent twice
    expect(types(resumed)).toEqual([tag(s1, 'PROCESSING'), tag(s1, 'FILLED'), tag(s2, 'RECEIVED')]);
    expect(resumed.messages.find((m) => m.event === 'ready')?.id).toBe(seen);
  } finally {
    await resumed.close();
  }

  const processing = resumed.signals()[0]?.sseId ?? '';
  const byQuery = await SseClient.open(`${gw.url}${STREAM}?lastEventId=${processing}`, { 'x-api-key': f.apiKey });
  try {
    await byQuery.until('2 events', (c) => c.signals().length >= 2);
    await sleep(300);
    expect(types(byQuery)).toEqual([tag(s1, 'FILLED'), tag(s2, 'RECEIVED')]);
  } finally {
    await byQuery.close();
  }
});

it('delivers an event committed after a later id (sequence order is not commit order), live and on resume', async () => {
  const f = await gw.fixture();
  const s = await postSignal(gw.url, f, { action: 'openLong', quantity: 1 });
  const stream = await open(f);
  const slow = new Client({ connectionString: iso.url });
  await slow.connect();
  try {
    await ready(stream);
    await slow.query('BEGIN');
    const late = BigInt(
      (
        await slow.query<{ id: string }>(
          `INSERT INTO signal_events (signal_id, type, message) VALUES ($1, 'LATE', 'x') RETURNING id::text`,
          [s],
        )
      ).rows[0]?.id ?? '0',
    );
    await db.pool.query(`INSERT INTO signal_events (signal_id, type, message) VALUES ($1, 'EARLY', 'y')`, [s]);
    await stream.until('EARLY', (c) => c.signals().some((m) => m.event.type === 'EARLY'));
    const early = stream.signals().find((m) => m.event.type === 'EARLY');
    expect(BigInt(early?.event.id ?? '0')).toBe(late + 1n);
    // While `late` is uncommitted the resume point stays below it.
    expect(BigInt(early?.sseId ?? '0')).toBeLessThan(late);

    await slow.query('COMMIT');
    await stream.until('LATE', (c) => c.signals().some((m) => m.event.type === 'LATE'));
    // Once nothing is missing, a heartbeat moves the browser's resume point past both.
    await stream.until('resume point past EARLY', (c) =>
      c.messages.some((m) => m.comment === 'heartbeat' && m.id !== undefined && BigInt(m.id) >= late + 1n),
    );

    const resumed = await open(f, { 'last-event-id': early?.sseId ?? '' });
    try {
      await resumed.until('LATE again', (c) => c.signals().some((m) => m.event.type === 'LATE'));
    } finally {
      await resumed.close();
    }
  } finally {
    await slow.end();
    await stream.close();
  }
});

it('answers `reset` to a resume too far back, and sends heartbeats', async () => {
  const f = await gw.fixture();
  const s = await postSignal(gw.url, f, { action: 'openLong', quantity: 1 });
  await db.pool.query(
    `INSERT INTO signal_events (signal_id, type, message) SELECT $1, 'NOISE', 'n' FROM generate_series(1, 60)`,
    [s],
  );
  await sleep(300); // the feed has seen them (if another stream keeps it running)
  const stream = await open(f, { 'last-event-id': '1' });
  try {
    await stream.until('reset', (c) => c.messages.some((m) => m.event === 'reset'));
    expect(stream.signals()).toEqual([]);
    await stream.until('a heartbeat', (c) => c.messages.some((m) => m.comment === 'heartbeat'));
  } finally {
    await stream.close();
  }
});

it('forgets a client that leaves, and close() ends the open streams', async () => {
  const own = await startGateway({ db, stream: FAST });
  const f = await own.fixture();
  const leaving = await SseClient.open(own.url + STREAM, { 'x-api-key': f.apiKey });
  const staying = await SseClient.open(own.url + STREAM, { 'x-api-key': f.apiKey });
  await Promise.all([ready(leaving), ready(staying)]);
  expect(own.gateway.feed.connections).toBe(2);
  await leaving.close();
  for (let i = 0; own.gateway.feed.connections !== 1 && i < 100; i++) await sleep(20);
  expect(own.gateway.feed.connections).toBe(1);

  const started = Date.now();
  await own.close();
  await staying.ended;
  expect(Date.now() - started).toBeLessThan(3000); // not a keep-alive or idle timeout
  expect(own.gateway.feed.connections).toBe(0);
});

it('never logs a key sent as ?apiKey (EventSource cannot send headers)', async () => {
  const f = await gw.fixture();
  const q = `?apiKey=${encodeURIComponent(f.apiKey)}`;
  const ok = await SseClient.open(gw.url + STREAM + q);
  await ready(ok);
  await ok.close();
  expect((await fetch(`${gw.url}${STREAM}${q}&lastEventId=nope`)).status).toBe(400);
  expect((await fetch(`${gw.url}${STREAM}${q}x`)).status).toBe(401);
  expect(gw.logs.length).toBeGreaterThan(0);
  const secret = f.apiKey.slice('utm_paper_'.length);
  for (const line of gw.logs) expect(line).not.toContain(secret.slice(0, 12));
  // And should a URL with it ever be logged, the logger's redaction removes it.
  expect(redactString(`GET ${STREAM}${q}&lastEventId=5`)).toBe(`GET ${STREAM}?apiKey=[REDACTED]&lastEventId=5`);
});
