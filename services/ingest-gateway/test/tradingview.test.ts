/**
 * TradingView's alert messages at the gateway: bodies as TradingView sends them (text/plain,
 * the key in the URL, placeholders filled in and quoted), stored exactly as sent, read back with
 * the traded ticker; and each of its mistakes refused with 400 on its field.
 */
import { json, startGateway, type TestGateway } from './support/gateway';

const INGEST = '/api/v1/signals/ingest';
/** TradingView: text/plain unless the message is valid JSON, in which case application/json. */
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };

describe('TradingView alert messages', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('accepts a strategy alert as TradingView fills it in, stores it as sent, reads it back with the ticker', async () => {
    const f = await gw.fixture();
    const sentAt = new Date(Date.now() - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z'); // {{timenow}}: seconds
    // The message as typed in TradingView, then with its placeholders filled in: exact text, spacing kept.
    const message = `{"symbol": "BINANCE:BTCUSDT", "action": "buy", "sentiment": "long", "quantity": "0.5", "price": "64250.50", "sentAt": "${sentAt}", "accountId": "${f.accountId}"}`;
    const res = await gw.post(`${INGEST}?apiKey=${encodeURIComponent(f.apiKey)}`, message, TEXT);
    expect(res.status).toBe(202);
    const { signalId } = await json(res);

    const row = await gw.db.prisma.signal.findUniqueOrThrow({ where: { id: String(signalId) } });
    expect({ symbol: row.symbol, action: row.action, appliedAction: row.appliedAction }).toEqual({
      symbol: 'BTCUSDT',
      action: 'buy',
      appliedAction: null,
    });
    // Kept as sent: the prefix, and the decimal strings as strings (never parsed through a float).
    expect(row.request).toEqual(JSON.parse(message));

    const read = await json(await gw.get(`/api/v1/signals/${String(signalId)}`, f.apiKey));
    expect(read).toMatchObject({
      symbol: 'BTCUSDT',
      action: 'buy',
      appliedAction: null,
      request: { symbol: 'BINANCE:BTCUSDT', quantity: '0.5', price: '64250.50' },
    });
    const listed = await json(await gw.get(`/api/v1/signals?symbol=BTCUSDT&accountId=${f.accountId}`, f.apiKey));
    expect((listed.signals as { signalId: string }[]).map((s) => s.signalId)).toEqual([signalId]);
  });

  it('accepts a target position, and a move to flat with TradingView size 0', async () => {
    const f = await gw.fixture();
    for (const body of [
      { symbol: 'NASDAQ:AAPL', action: 'setPosition', sentiment: 'long', quantity: '15' },
      { symbol: 'NASDAQ:AAPL', action: 'setPosition', sentiment: 'flat', quantity: '0' },
      { symbol: 'NASDAQ:AAPL', action: 'sell', sentiment: 'flat', quantity: '15' },
    ]) {
      const res = await gw.post(INGEST, JSON.stringify({ ...body, accountId: f.accountId }), {
        ...TEXT,
        'x-api-key': f.apiKey,
      });
      expect({ body, status: res.status }).toEqual({ body, status: 202 });
    }
  });

  it.each<[string, Record<string, unknown>, { field: string; message: string | RegExp }[]]>([
    [
      'an unknown sentiment',
      { action: 'buy', sentiment: 'bullish', quantity: '1' },
      [{ field: 'sentiment', message: 'must be one of: long, short, flat' }],
    ],
    [
      'buy without sentiment',
      { action: 'buy', quantity: '1' },
      [{ field: 'sentiment', message: 'is required for buy, sell and setPosition: long, short or flat' }],
    ],
    [
      'setPosition long without quantity',
      { action: 'setPosition', sentiment: 'long' },
      [{ field: 'quantity', message: 'is required for buy, sell and setPosition unless sentiment is flat' }],
    ],
    [
      'sentAt in the future',
      { action: 'openLong', quantity: '1', sentAt: Date.now() + 5 * 60_000 },
      [{ field: 'sentAt', message: /^is (29\d|300) s in the future; at most 60 s ahead/ }],
    ],
    [
      'sentAt unparseable',
      { action: 'openLong', quantity: '1', sentAt: 'just now' },
      [{ field: 'sentAt', message: /ISO-8601 time with an offset/ }],
    ],
    [
      'a placeholder left unfilled',
      { action: 'openLong', quantity: '{{strategy.order.contracts}}' },
      [{ field: 'quantity', message: /decimal string/ }],
    ],
    [
      'a number with an exponent',
      { action: 'openLong', quantity: '1e5' },
      [{ field: 'quantity', message: /decimal string/ }],
    ],
    [
      'a lowercase exchange',
      { action: 'openLong', quantity: 1, symbol: 'nasdaq:AAPL' },
      [{ field: 'symbol', message: 'Symbol must be uppercase' }],
    ],
  ])('refuses %s: 400 with the field path, nothing stored', async (_name, fields, details) => {
    const f = await gw.fixture();
    const before = await gw.db.prisma.signal.count({ where: { accountId: f.accountId } });
    const res = await gw.post(INGEST, JSON.stringify({ symbol: 'NASDAQ:AAPL', accountId: f.accountId, ...fields }), {
      ...TEXT,
      'x-api-key': f.apiKey,
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body).toEqual({
      success: false,
      error: 'VALIDATION_ERROR',
      message: 'Request body is invalid',
      details: details.map((d) => ({
        field: d.field,
        message: typeof d.message === 'string' ? d.message : expect.stringMatching(d.message),
      })),
    });
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(before);
  });
});
