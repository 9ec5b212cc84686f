import { randomUUID } from 'node:crypto';
import { testDatabaseUrl } from '@utm/testkit';
import { createDb, Decimal, loadInstrumentRules, saveInstrumentRules } from '../src';

describe('instrument rules: one table for every venue', () => {
  const db = createDb({ url: testDatabaseUrl(), poolMax: 2 });
  afterAll(() => db.close());

  const rule = (venue: string, symbol: string, step: string | null) => ({
    venue,
    symbol,
    assetClass: 'crypto',
    tradable: true,
    shortable: false,
    fractionable: true,
    quantityStep: step === null ? null : new Decimal(step),
    minQuantity: new Decimal('0.0001'),
    tickSize: null,
    minNotional: null,
  });

  it('saves, reads back exactly, and a newer answer replaces the old one; venues do not mix', async () => {
    const alpaca = `alpaca-${randomUUID()}`;
    const binance = `ccxt:binance-${randomUUID()}`;
    await saveInstrumentRules(db.pool, [rule(alpaca, 'BTC/USD', '0.0001'), rule(binance, 'BTC/USD', '0.00001')]);
    await saveInstrumentRules(db.pool, [rule(alpaca, 'BTC/USD', '0.000000001')]);
    const got = await loadInstrumentRules(db.pool, alpaca, ['BTC/USD', 'ETH/USD']);
    expect([...got.keys()]).toEqual(['BTC/USD']);
    expect(got.get('BTC/USD')).toMatchObject({ venue: alpaca, assetClass: 'crypto', tickSize: null });
    expect(got.get('BTC/USD')?.quantityStep?.toFixed()).toBe('0.000000001');
    expect((await loadInstrumentRules(db.pool, binance, ['BTC/USD'])).get('BTC/USD')?.quantityStep?.toFixed()).toBe(
      '0.00001',
    );
  });
});
