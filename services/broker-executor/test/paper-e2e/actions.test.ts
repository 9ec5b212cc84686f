import { uniqueSymbol } from '@utm/testkit';
import type { IngestRequest } from '@utm/contracts';
import { Stack } from '../support/stack';

type Body = Partial<IngestRequest>;

/**
 * Every action and every quantity type, from the webhook to FILLED, with the position and
 * cash it must leave. Quote 100, cash 100,000, whole shares.
 */
const cases: [string, Body[], Body, { quantity: string | null; cash: string; orders: string[] }][] = [
  [
    'openLong FIXED',
    [],
    { action: 'openLong', quantity: 10 },
    { quantity: '10', cash: '99000', orders: ['ENTRY BUY 10'] },
  ],
  [
    'openLong PERCENT_EQUITY',
    [],
    { action: 'openLong', quantity: 10, quantityType: 'PERCENT_EQUITY' },
    { quantity: '100', cash: '90000', orders: ['ENTRY BUY 100'] },
  ],
  [
    'openLong DOLLAR_AMOUNT (rounded down)',
    [],
    { action: 'openLong', quantity: 2550, quantityType: 'DOLLAR_AMOUNT' },
    { quantity: '25', cash: '97500', orders: ['ENTRY BUY 25'] },
  ],
  [
    'openLong PERCENT_POSITION adds to a long',
    [{ action: 'openLong', quantity: 10 }],
    { action: 'openLong', quantity: 50, quantityType: 'PERCENT_POSITION' },
    { quantity: '15', cash: '98500', orders: ['ENTRY BUY 5'] },
  ],
  [
    'openShort FIXED',
    [],
    { action: 'openShort', quantity: 10 },
    { quantity: '-10', cash: '101000', orders: ['ENTRY SELL 10'] },
  ],
  [
    'openShort DOLLAR_AMOUNT',
    [],
    { action: 'openShort', quantity: 1000, quantityType: 'DOLLAR_AMOUNT' },
    { quantity: '-10', cash: '101000', orders: ['ENTRY SELL 10'] },
  ],
  [
    'openShort PERCENT_EQUITY',
    [],
    { action: 'openShort', quantity: 5, quantityType: 'PERCENT_EQUITY' },
    { quantity: '-50', cash: '105000', orders: ['ENTRY SELL 50'] },
  ],
  [
    'closeLong, the whole position',
    [{ action: 'openLong', quantity: 10 }],
    { action: 'closeLong' },
    { quantity: null, cash: '100000', orders: ['CLOSE SELL 10'] },
  ],
  [
    'closeLong PERCENT_POSITION',
    [{ action: 'openLong', quantity: 10 }],
    { action: 'closeLong', quantity: 50, quantityType: 'PERCENT_POSITION' },
    { quantity: '5', cash: '99500', orders: ['CLOSE SELL 5'] },
  ],
  [
    'closeShort FIXED part',
    [{ action: 'openShort', quantity: 10 }],
    { action: 'closeShort', quantity: 4 },
    { quantity: '-6', cash: '100600', orders: ['CLOSE BUY 4'] },
  ],
  [
    'reverseToLong with the closed size',
    [{ action: 'openShort', quantity: 10 }],
    { action: 'reverseToLong' },
    { quantity: '10', cash: '99000', orders: ['CLOSE BUY 10', 'ENTRY BUY 10'] },
  ],
  [
    'reverseToShort with a quantity',
    [{ action: 'openLong', quantity: 10 }],
    { action: 'reverseToShort', quantity: 3 },
    { quantity: '-3', cash: '100300', orders: ['CLOSE SELL 10', 'ENTRY SELL 3'] },
  ],
];

describe('every action and quantity type, gateway → FILLED', () => {
  const s = new Stack();
  beforeAll(() => s.start());
  afterAll(() => s.stop());

  it.each(cases)('%s', async (_name, before, body, expected) => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('S');
    await s.quote(symbol, '100');
    for (const b of before) await s.until(await s.send(f, { symbol, ...b }), ['FILLED']);
    const id = await s.send(f, { symbol, ...body });
    const signal = await s.until(id, ['FILLED']);
    expect(signal.orders.map((o) => `${o.role} ${o.side} ${o.filledQuantity.toFixed()}`)).toEqual(expected.orders);
    const account = await s.account(f.accountId);
    expect(account.positions[symbol]?.quantity ?? null).toBe(expected.quantity);
    expect(account.cash).toBe(expected.cash);
  });
});
