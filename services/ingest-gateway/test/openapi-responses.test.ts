import { randomUUID } from 'node:crypto';
import { buildOpenApiDocument } from '../src/openapi/document';
import { json, signalBody, startGateway, type TestGateway } from './support/gateway';
import { componentCheck, type OpenApiDoc } from './support/openapi';

/**
 * The response schemas are the one part of the document written by hand: every field of
 * every read answer is held against them here (additionalProperties: false), so a field
 * added to or dropped from a response fails until the document says so.
 */
const doc = JSON.parse(JSON.stringify(buildOpenApiDocument())) as OpenApiDoc;
const check = componentCheck(doc);

describe('read responses match the documented schemas', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  async function expectSchema(
    path: string,
    apiKey: string | undefined,
    schema: string,
    status = 200,
  ): Promise<Record<string, unknown>> {
    const res = await gw.get(path, apiKey);
    const body = await json(res);
    expect({ path, status: res.status, errors: check(schema, body) }).toEqual({ path, status, errors: [] });
    return body;
  }

  it('signals, a signal with orders, fills, errors and events, an account with positions, its orders', async () => {
    const f = await gw.fixture();
    const res = await gw.post(
      '/api/v1/signals/ingest',
      signalBody(f.accountId, {
        orderType: 'LIMIT',
        limitPrice: 150.25,
        exitRules: { stopLoss: { type: 'PERCENT', value: 2 } },
        idempotencyKey: randomUUID(),
      }),
      { 'x-api-key': f.apiKey },
    );
    const signalId = String((await json(res)).signalId);
    const entry = randomUUID();
    await gw.db.prisma.order.create({
      data: {
        id: entry,
        signalId,
        accountId: f.accountId,
        role: 'ENTRY',
        symbol: 'AAPL',
        side: 'BUY',
        type: 'LIMIT',
        quantity: '10',
        limitPrice: '150.25',
        timeInForce: 'DAY',
        status: 'FILLED',
        filledQuantity: '10',
        avgFillPrice: '150.2',
        brokerOrderId: 'paper-1',
        fills: {
          create: [
            { quantity: '4', price: '150.1' },
            { quantity: '6', price: '150.2666666667' },
          ],
        },
      },
    });
    await gw.db.prisma.order.create({
      data: {
        id: randomUUID(),
        signalId,
        accountId: f.accountId,
        role: 'STOP_LOSS',
        symbol: 'AAPL',
        side: 'SELL',
        type: 'STOP',
        quantity: '10',
        stopPrice: '147.19',
        timeInForce: 'GTC',
        status: 'REJECTED',
        errorCode: 'BROKER_ERROR',
        errorMessage: 'stop price too close',
      },
    });
    await gw.db.prisma.signalEvent.create({
      data: { signalId, orderId: entry, type: 'FILLED', message: 'filled 10 @ 150.2' },
    });
    await gw.db.prisma.signal.update({
      where: { id: signalId },
      data: { status: 'FAILED', errorCode: 'BROKER_ERROR', errorMessage: 'stop price too close' },
    });
    await gw.db.prisma.position.create({
      data: { accountId: f.accountId, symbol: 'AAPL', quantity: '10', avgPrice: '150.2' },
    });
    await gw.db.prisma.position.create({
      data: { accountId: f.accountId, symbol: 'TSLA', quantity: '-3', avgPrice: '240.5' },
    });

    const signal = await expectSchema(`/api/v1/signals/${signalId}`, f.apiKey, 'Signal');
    expect((signal.orders as unknown[]).length).toBe(2);
    expect(signal.error).toEqual({ code: 'BROKER_ERROR', message: 'stop price too close' });
    const list = await expectSchema(`/api/v1/signals?accountId=${f.accountId}&limit=1`, f.apiKey, 'SignalList');
    expect(list.nextCursor).toBeNull();
    const account = await expectSchema(`/api/v1/accounts/${f.accountId}`, f.apiKey, 'Account');
    expect((account.positions as { quantity: string }[]).map((p) => p.quantity).sort()).toEqual(['-3', '10']);
    const orders = await expectSchema(`/api/v1/accounts/${f.accountId}/orders`, f.apiKey, 'OrderList');
    expect((orders.orders as unknown[]).length).toBe(2);
    await expectSchema(`/api/v1/signals?accountId=${f.accountId}&limit=0`, f.apiKey, 'ErrorBody', 400);
    await expectSchema(`/api/v1/signals/${randomUUID()}`, f.apiKey, 'ErrorBody', 404);
    await expectSchema(`/api/v1/accounts/${randomUUID()}`, f.apiKey, 'ErrorBody', 404);
    await expectSchema(`/api/v1/accounts/${f.accountId}/orders`, undefined, 'ErrorBody', 401);
  });

  it('the operations endpoints', async () => {
    await expectSchema('/healthz', undefined, 'Health');
    await expectSchema('/readyz', undefined, 'Readiness');
    await expectSchema('/no/such/route', undefined, 'ErrorBody', 404);
  });

  it('the schemas do reject a response that drifts', () => {
    expect(
      check('Account', {
        accountId: randomUUID(),
        name: 'a',
        mode: 'PAPER',
        broker: 'paper',
        tradingState: 'ACTIVE',
        cash: '1',
        equity: '1',
        positions: [],
      }),
    ).toEqual([]);
    expect(
      check('Account', {
        accountId: randomUUID(),
        name: 'a',
        mode: 'PAPER',
        broker: 'paper',
        tradingState: 'ACTIVE',
        cash: 1,
        equity: '1',
        positions: [],
        extra: 1,
      }),
    ).toHaveLength(2);
  });
});
