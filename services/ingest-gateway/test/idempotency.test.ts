import { json, signalBody, startGateway, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';

describe('idempotency', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('replays the first signal for the same key and body (body field), with its current status', async () => {
    const f = await gw.fixture();
    const body = signalBody(f.accountId, { idempotencyKey: 'alert-1' });
    const first = await json(await gw.post(INGEST, body, { 'x-api-key': f.apiKey }));
    await gw.db.prisma.signal.update({ where: { id: String(first.signalId) }, data: { status: 'PROCESSING' } });
    const res = await gw.post(INGEST, body, { 'x-api-key': f.apiKey });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      success: true,
      signalId: first.signalId,
      status: 'PROCESSING',
      duplicate: true,
    });
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(1);
  });

  it('takes the key from the Idempotency-Key header, and treats header and body field alike', async () => {
    const f = await gw.fixture();
    const first = await gw.post(INGEST, signalBody(f.accountId), { 'x-api-key': f.apiKey, 'idempotency-key': 'h-1' });
    expect(first.status).toBe(202);
    const viaHeader = await gw.post(INGEST, signalBody(f.accountId), {
      'x-api-key': f.apiKey,
      'idempotency-key': 'h-1',
    });
    const viaBody = await gw.post(INGEST, signalBody(f.accountId, { idempotencyKey: 'h-1' }), {
      'x-api-key': f.apiKey,
    });
    const id = (await json(first)).signalId;
    expect(viaHeader.status).toBe(200);
    expect(viaBody.status).toBe(200);
    expect((await json(viaHeader)).signalId).toBe(id);
    expect((await json(viaBody)).signalId).toBe(id);
  });

  it('answers 409 IDEMPOTENCY_CONFLICT for the same key with a different body', async () => {
    const f = await gw.fixture();
    await gw.post(INGEST, signalBody(f.accountId, { idempotencyKey: 'k' }), { 'x-api-key': f.apiKey });
    const res = await gw.post(INGEST, signalBody(f.accountId, { idempotencyKey: 'k', quantity: 11 }), {
      'x-api-key': f.apiKey,
    });
    expect(res.status).toBe(409);
    expect((await json(res)).error).toBe('IDEMPOTENCY_CONFLICT');
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(1);
  });

  it('refuses a header and a body key that differ', async () => {
    const f = await gw.fixture();
    const res = await gw.post(INGEST, signalBody(f.accountId, { idempotencyKey: 'a' }), {
      'x-api-key': f.apiKey,
      'idempotency-key': 'b',
    });
    expect(res.status).toBe(400);
    expect((await json(res)).details).toEqual([
      { field: 'idempotencyKey', message: 'differs from the Idempotency-Key header' },
    ]);
  });

  it('scopes keys per user: another user may use the same key', async () => {
    const a = await gw.fixture();
    const b = await gw.fixture();
    expect(
      (await gw.post(INGEST, signalBody(a.accountId, { idempotencyKey: 'shared' }), { 'x-api-key': a.apiKey })).status,
    ).toBe(202);
    expect(
      (await gw.post(INGEST, signalBody(b.accountId, { idempotencyKey: 'shared' }), { 'x-api-key': b.apiKey })).status,
    ).toBe(202);
  });

  it('turns 20 concurrent identical requests into exactly one signal', async () => {
    const f = await gw.fixture();
    const body = signalBody(f.accountId, { idempotencyKey: 'burst' });
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => gw.post(INGEST, body, { 'x-api-key': f.apiKey })),
    );
    const statuses = responses.map((r) => r.status).sort();
    const bodies = await Promise.all(responses.map(json));
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(19);
    expect(new Set(bodies.map((b) => b.signalId)).size).toBe(1);
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(1);
    expect(await gw.db.prisma.signalEvent.count({ where: { signal: { accountId: f.accountId } } })).toBe(1);
  });

  it('20 concurrent requests with one key but two bodies: one signal, the rest duplicates or conflicts', async () => {
    const f = await gw.fixture();
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        gw.post(INGEST, signalBody(f.accountId, { idempotencyKey: 'mixed', quantity: 1 + (i % 2) }), {
          'x-api-key': f.apiKey,
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200).length + statuses.filter((s) => s === 409).length).toBe(19);
    expect(statuses.filter((s) => s === 409)).toHaveLength(10);
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(1);
  });

  it('lets a key be used again after 24 hours', async () => {
    const f = await gw.fixture();
    const body = signalBody(f.accountId, { idempotencyKey: 'daily' });
    const first = await json(await gw.post(INGEST, body, { 'x-api-key': f.apiKey }));
    await gw.db.prisma.signal.update({
      where: { id: String(first.signalId) },
      data: { receivedAt: new Date(Date.now() - 25 * 3600 * 1000) },
    });
    const again = await gw.post(INGEST, body, { 'x-api-key': f.apiKey });
    expect(again.status).toBe(202);
    const second = await json(again);
    expect(second.signalId).not.toBe(first.signalId);
    const rows = await gw.db.prisma.signal.findMany({ where: { accountId: f.accountId }, orderBy: { seq: 'asc' } });
    expect(rows.map((r) => r.idempotencyKey)).toEqual([null, 'daily']);
  });
});
