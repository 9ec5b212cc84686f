import { uniqueSymbol } from '@utm/testkit';
import { randomUUID } from 'node:crypto';
import { json, signalBody, startGateway, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';

describe('reading back', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  async function send(apiKey: string, accountId: string, extra: Record<string, unknown> = {}): Promise<string> {
    const res = await gw.post(INGEST, signalBody(accountId, extra), { 'x-api-key': apiKey });
    expect(res.status).toBe(202);
    return String((await json(res)).signalId);
  }

  it('GET /signals/:id returns the signal with request, events and orders; decimals as strings', async () => {
    const f = await gw.fixture();
    const id = await send(f.apiKey, f.accountId, { orderType: 'LIMIT', limitPrice: 150.25 });
    const orderId = randomUUID();
    await gw.db.prisma.order.create({
      data: {
        id: orderId,
        signalId: id,
        accountId: f.accountId,
        role: 'ENTRY',
        symbol: 'AAPL',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '10',
        limitPrice: '150.2500000000',
        timeInForce: 'DAY',
        status: 'PARTIALLY_FILLED',
        filledQuantity: '4',
        avgFillPrice: '150.1',
        errorCode: null,
        fills: { create: [{ quantity: '4', price: '150.1' }] },
      },
    });
    await gw.db.prisma.signal.update({
      where: { id },
      data: { status: 'REJECTED', errorCode: 'NO_POSITION', errorMessage: 'No long position in AAPL to close' },
    });
    const res = await gw.get(`/api/v1/signals/${id}`, f.apiKey);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      signalId: id,
      status: 'REJECTED',
      accountId: f.accountId,
      symbol: 'AAPL',
      action: 'openLong',
      request: signalBody(f.accountId, { orderType: 'LIMIT', limitPrice: 150.25 }),
      error: { code: 'NO_POSITION', message: 'No long position in AAPL to close' },
      events: [{ at: expect.any(String), type: 'RECEIVED', message: expect.any(String) }],
      orders: [
        {
          orderId,
          signalId: id,
          role: 'ENTRY',
          symbol: 'AAPL',
          side: 'BUY',
          type: 'LIMIT',
          quantity: '10',
          limitPrice: '150.25',
          stopPrice: null,
          timeInForce: 'DAY',
          status: 'PARTIALLY_FILLED',
          filledQuantity: '4',
          avgFillPrice: '150.1',
          brokerOrderId: null,
        },
      ],
    });
    expect(new Date(String(body.receivedAt)).getTime()).toBeGreaterThan(Date.now() - 60000);
  });

  it('answers 404 for another user’s signal, an unknown id and a malformed id', async () => {
    const a = await gw.fixture();
    const b = await gw.fixture();
    const id = await send(a.apiKey, a.accountId);
    for (const path of [`/api/v1/signals/${id}`, `/api/v1/signals/${randomUUID()}`, '/api/v1/signals/xyz']) {
      const res = await gw.get(path, b.apiKey);
      expect(res.status).toBe(404);
      expect((await json(res)).error).toBe('SIGNAL_NOT_FOUND');
    }
    expect((await gw.get(`/api/v1/signals/${id}`)).status).toBe(401);
  });

  it('lists signals newest first with a cursor, filtered by account and status', async () => {
    const f = await gw.fixture();
    const second = await gw.db.prisma.account.create({
      data: { userId: f.userId, name: 'two', mode: 'PAPER', broker: 'paper', cash: '5' },
    });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await send(f.apiKey, f.accountId, { comment: String(i) }));
    const other = await send(f.apiKey, second.id);
    await gw.db.prisma.signal.update({ where: { id: ids[1] }, data: { status: 'FAILED' } });

    const page1 = await json(await gw.get(`/api/v1/signals?accountId=${f.accountId}&limit=2`, f.apiKey));
    const list = page1.signals as { signalId: string }[];
    expect(list.map((s) => s.signalId)).toEqual([ids[4], ids[3]]);
    const page2 = await json(
      await gw.get(`/api/v1/signals?accountId=${f.accountId}&limit=2&cursor=${String(page1.nextCursor)}`, f.apiKey),
    );
    expect((page2.signals as { signalId: string }[]).map((s) => s.signalId)).toEqual([ids[2], ids[1]]);
    const page3 = await json(
      await gw.get(`/api/v1/signals?accountId=${f.accountId}&limit=2&cursor=${String(page2.nextCursor)}`, f.apiKey),
    );
    expect((page3.signals as { signalId: string }[]).map((s) => s.signalId)).toEqual([ids[0]]);
    expect(page3.nextCursor).toBeNull();

    const all = await json(await gw.get('/api/v1/signals?limit=200', f.apiKey));
    expect((all.signals as { signalId: string }[]).map((s) => s.signalId)).toEqual([other, ...[...ids].reverse()]);
    const failed = await json(await gw.get('/api/v1/signals?status=FAILED', f.apiKey));
    expect((failed.signals as { signalId: string }[]).map((s) => s.signalId)).toEqual([ids[1]]);
  });

  it('validates list parameters and hides other users’ accounts', async () => {
    const a = await gw.fixture();
    const b = await gw.fixture();
    const bad = await gw.get('/api/v1/signals?limit=0&status=DONE&cursor=zzz', a.apiKey);
    expect(bad.status).toBe(400);
    expect(((await json(bad)).details ?? []).map((d) => d.field).sort()).toEqual(['cursor', 'limit', 'status']);
    expect((await gw.get(`/api/v1/signals?accountId=${b.accountId}`, a.apiKey)).status).toBe(404);
  });

  it('GET /accounts/:id returns cash, equity marked to the latest quote, and positions (short negative)', async () => {
    const f = await gw.fixture({ cash: '10000.50' });
    const sym = uniqueSymbol('T');
    await gw.db.prisma.position.createMany({
      data: [
        { accountId: f.accountId, symbol: sym, quantity: '10', avgPrice: '100' },
        { accountId: f.accountId, symbol: `${sym}S`, quantity: '-5', avgPrice: '20.5' },
      ],
    });
    await gw.db.prisma.quote.create({ data: { symbol: sym, price: '110.25' } });
    const res = await gw.get(`/api/v1/accounts/${f.accountId}`, f.apiKey);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      accountId: f.accountId,
      name: 'test account',
      mode: 'PAPER',
      broker: 'paper',
      tradingState: 'ACTIVE',
      cash: '10000.5',
      // 10000.50 + 10 × 110.25 (quote) − 5 × 20.5 (no quote: entry price)
      equity: '11000.5',
      positions: [
        { symbol: sym, quantity: '10', avgPrice: '100', markPrice: '110.25', exitOrders: [] },
        { symbol: `${sym}S`, quantity: '-5', avgPrice: '20.5', markPrice: null, exitOrders: [] },
      ],
      openOrders: [],
      recentFills: [],
    });
    const other = await gw.fixture();
    expect((await gw.get(`/api/v1/accounts/${f.accountId}`, other.apiKey)).status).toBe(404);
  });

  it('GET /accounts/:id/orders pages orders newest first, filtered by status', async () => {
    const f = await gw.fixture();
    const signalId = await send(f.apiKey, f.accountId);
    const ids = Array.from({ length: 3 }, () => randomUUID());
    for (const [i, id] of ids.entries()) {
      await gw.db.prisma.order.create({
        data: {
          id,
          signalId,
          accountId: f.accountId,
          role: 'ENTRY',
          symbol: 'AAPL',
          side: 'BUY',
          type: 'MARKET',
          quantity: '1',
          timeInForce: 'DAY',
          status: i === 0 ? 'FILLED' : 'NEW',
        },
      });
    }
    const page1 = await json(await gw.get(`/api/v1/accounts/${f.accountId}/orders?limit=2`, f.apiKey));
    expect((page1.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[2], ids[1]]);
    const page2 = await json(
      await gw.get(`/api/v1/accounts/${f.accountId}/orders?limit=2&cursor=${String(page1.nextCursor)}`, f.apiKey),
    );
    expect((page2.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[0]]);
    const filled = await json(await gw.get(`/api/v1/accounts/${f.accountId}/orders?status=FILLED`, f.apiKey));
    expect((filled.orders as { orderId: string }[]).map((o) => o.orderId)).toEqual([ids[0]]);
  });

  it('serves /healthz, /readyz and Prometheus /metrics without a key', async () => {
    expect(await json(await gw.get('/healthz'))).toEqual({ status: 'ok' });
    expect(await json(await gw.get('/readyz'))).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
    const metrics = await (await gw.get('/metrics')).text();
    expect(metrics).toContain('utm_signals_received_total');
    expect(metrics).toMatch(/utm_signals_received_total\{outcome="accepted"\} \d+/);
  });
});
