import fc from 'fast-check';
import { createIngestValidator } from '@utm/contracts';
import { json, startGateway, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';
const validate = createIngestValidator();

/** Bodies near the valid space: every field from a mix of valid and invalid values. */
function nearlyValid(accountId: string) {
  const num = fc.oneof(
    fc.double({ noNaN: true }),
    fc.integer(),
    fc.constantFrom(0, -1, 1e-12, 100, 100.0001, 1e13),
    fc.string(),
  );
  const rule = fc.record(
    { type: fc.constantFrom('PERCENT', 'PRICE', 'AMOUNT', 'TICKS', 1), value: num },
    { requiredKeys: [] },
  );
  return fc.record(
    {
      symbol: fc.oneof(
        fc.constantFrom('AAPL', 'BRK.B', 'BTC/USD', 'aapl', '', 'TOOLONGSYMBOL1234', '9X'),
        fc.string({ maxLength: 20 }),
      ),
      action: fc.constantFrom(
        'openLong',
        'openShort',
        'closeLong',
        'closeShort',
        'reverseToLong',
        'reverseToShort',
        'buy',
      ),
      accountId: fc.constantFrom(accountId, accountId, 'x'.repeat(65)),
      quantity: num,
      quantityType: fc.constantFrom('FIXED', 'PERCENT_EQUITY', 'DOLLAR_AMOUNT', 'PERCENT_POSITION', 'X'),
      orderType: fc.constantFrom('MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'OCO'),
      limitPrice: num,
      stopPrice: num,
      timeInForce: fc.constantFrom('DAY', 'GTC', 'IOC', 'FOK', 'GTD'),
      exitRules: fc.record(
        { stopLoss: rule, takeProfit: rule, trailingStop: rule, stoploss: rule },
        { requiredKeys: [] },
      ),
      comment: fc.string({ maxLength: 600 }),
      price: num,
      mode: fc.constantFrom('PAPER', 'LIVE'),
      extra: fc.anything(),
    },
    { requiredKeys: [] },
  );
}

describe('fuzz: random bodies', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('never produce a 5xx, and a signal is stored exactly when the body is valid', async () => {
    const f = await gw.fixture({ rateLimit: 100000 });
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.oneof(nearlyValid(f.accountId), fc.jsonValue()), async (body) => {
        const res = await gw.post(INGEST, body, { 'x-api-key': f.apiKey });
        expect(res.status).toBeLessThan(500);
        const valid = validate(JSON.parse(JSON.stringify(body))).ok;
        if (res.status === 202) {
          accepted++;
          expect(valid).toBe(true);
        } else {
          const b = await json(res);
          expect(b.success).toBe(false);
          if (res.status === 400) expect(valid).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(accepted);
  });

  it('never produce a 5xx for raw byte soup', async () => {
    const f = await gw.fixture({ rateLimit: 100000 });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.constantFrom('application/json', 'text/plain'),
        async (raw, type) => {
          const res = await gw.post(INGEST, raw, { 'x-api-key': f.apiKey, 'content-type': type });
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 200 },
    );
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(0);
  });
});
