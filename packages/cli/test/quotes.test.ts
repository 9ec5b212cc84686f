import { randomBytes } from 'node:crypto';
import { Harness } from './harness';

const h = new Harness();
afterAll(() => h.close());

const symbol = () => `T${randomBytes(4).toString('hex').toUpperCase()}.X`;
const priceText = async (s: string) =>
  (await h.db.pool.query<{ price: string }>('SELECT price::text AS price FROM quotes WHERE symbol = $1', [s])).rows[0]
    ?.price;

describe('utm quote set', () => {
  it('inserts, then updates, the quote → {"symbol","price"}', async () => {
    const s = symbol();
    expect(await h.json(['quote', 'set', '--symbol', s, '--price', '150.25'])).toMatchObject({
      code: 0,
      body: { symbol: s, price: '150.25' },
      stderr: '',
    });
    expect(await priceText(s)).toBe('150.2500000000');
    const before = (await h.prisma.quote.findUniqueOrThrow({ where: { symbol: s } })).updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    expect((await h.json(['quote', 'set', '--symbol', s, '--price', '0.0000000001'])).body).toEqual({
      symbol: s,
      price: '0.0000000001',
    });
    const row = await h.prisma.quote.findUniqueOrThrow({ where: { symbol: s } });
    expect(row.price.toFixed()).toBe('0.0000000001');
    expect(row.updatedAt.getTime()).toBeGreaterThan(before.getTime());
    expect((await h.run(['quote', 'set', '--symbol', s, '--price', '12345678901234567890.0123456789'])).stdout).toBe(
      `quote ${s} = 12345678901234567890.0123456789\n`,
    );
    expect(await priceText(s)).toBe('12345678901234567890.0123456789');
  });

  it('accepts the symbol shapes of the ingest schema', async () => {
    for (const s of ['BRK.B', 'BTC/USD', 'ES-2026']) {
      expect((await h.json(['quote', 'set', '--symbol', s, '--price', '1'])).code).toBe(0);
    }
  });

  it('refuses lowercase or malformed symbols and non-positive or non-decimal prices', async () => {
    expect((await h.jsonError(['quote', 'set', '--symbol', 'aapl', '--price', '1'], 'VALIDATION_ERROR')).message).toBe(
      '--symbol Symbol must be uppercase',
    );
    for (const s of ['1ABC', 'TOOLONGSYMBOL1234', 'A B', '']) {
      await h.jsonError(['quote', 'set', '--symbol', s, '--price', '1'], 'VALIDATION_ERROR');
    }
    const s = symbol();
    for (const p of ['0', '0.000', '-1', '1e3', 'abc', '1.12345678901']) {
      await h.jsonError(['quote', 'set', '--symbol', s, '--price', p], 'VALIDATION_ERROR');
    }
    expect(await h.prisma.quote.count({ where: { symbol: s } })).toBe(0);
  });
});
