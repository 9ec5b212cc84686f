/**
 * TradingView's words from the webhook to the paper fill: every row of the buy/sell × sentiment
 * table and of setPosition on a flat, a long and a short position, a sequence of targets that
 * ends at the last one, and a stale alert refused by the account's maxSignalAgeSeconds. Bodies
 * go in through the real gateway with TradingView's exchange prefix and quoted numbers; the
 * action each was applied as is read back through the HTTP API. Quote 100, cash 100,000.
 */
import { setRiskSettings } from '@utm/db';
import type { Fixture } from '@utm/testkit';
import { uniqueSymbol } from '@utm/testkit';
import { Stack } from '../support/stack';

type Body = Record<string, unknown>;
type Outcome =
  | { applied: string; quantity: string | null; cash: string; orders: string[] }
  | { rejected: string; applied: string | null };

const LONG_10: Body = { action: 'openLong', quantity: 10 };
const SHORT_10: Body = { action: 'openShort', quantity: 10 };
const tv = (action: string, sentiment: string, quantity?: string, extra: Body = {}): Body => ({
  action,
  sentiment,
  ...(quantity === undefined ? {} : { quantity }),
  ...extra,
});

const cases: [string, Body[], Body, Outcome][] = [
  // buy
  [
    'buy long on flat',
    [],
    tv('buy', 'long', '15'),
    { applied: 'openLong', quantity: '15', cash: '98500', orders: ['ENTRY BUY 15'] },
  ],
  [
    'buy long on a long',
    [LONG_10],
    tv('buy', 'long', '15'),
    { applied: 'openLong', quantity: '25', cash: '97500', orders: ['ENTRY BUY 15'] },
  ],
  [
    'buy long on a short: a reverse',
    [SHORT_10],
    tv('buy', 'long', '15'),
    { applied: 'reverseToLong', quantity: '5', cash: '99500', orders: ['CLOSE BUY 10', 'ENTRY BUY 5'] },
  ],
  [
    'buy flat on a short',
    [SHORT_10],
    tv('buy', 'flat', '10'),
    { applied: 'closeShort', quantity: null, cash: '100000', orders: ['CLOSE BUY 10'] },
  ],
  ['buy flat on flat', [], tv('buy', 'flat', '0'), { rejected: 'NO_POSITION', applied: 'closeShort' }],
  [
    'buy short on a short: reduced',
    [SHORT_10],
    tv('buy', 'short', '4'),
    { applied: 'closeShort', quantity: '-6', cash: '100600', orders: ['CLOSE BUY 4'] },
  ],
  ['buy short on a long', [LONG_10], tv('buy', 'short', '4'), { rejected: 'NO_POSITION', applied: 'closeShort' }],
  // sell
  [
    'sell short on flat',
    [],
    tv('sell', 'short', '15'),
    { applied: 'openShort', quantity: '-15', cash: '101500', orders: ['ENTRY SELL 15'] },
  ],
  [
    'sell short on a short',
    [SHORT_10],
    tv('sell', 'short', '15'),
    { applied: 'openShort', quantity: '-25', cash: '102500', orders: ['ENTRY SELL 15'] },
  ],
  [
    'sell short on a long: a reverse',
    [LONG_10],
    tv('sell', 'short', '15'),
    { applied: 'reverseToShort', quantity: '-5', cash: '100500', orders: ['CLOSE SELL 10', 'ENTRY SELL 5'] },
  ],
  [
    'sell flat on a long',
    [LONG_10],
    tv('sell', 'flat', '10'),
    { applied: 'closeLong', quantity: null, cash: '100000', orders: ['CLOSE SELL 10'] },
  ],
  ['sell flat on a short', [SHORT_10], tv('sell', 'flat'), { rejected: 'NO_POSITION', applied: 'closeLong' }],
  [
    'sell long on a long: reduced',
    [LONG_10],
    tv('sell', 'long', '4'),
    { applied: 'closeLong', quantity: '6', cash: '99400', orders: ['CLOSE SELL 4'] },
  ],
  ['sell long on flat', [], tv('sell', 'long', '4'), { rejected: 'NO_POSITION', applied: 'closeLong' }],
  // setPosition
  [
    'target long 15 from flat',
    [],
    tv('setPosition', 'long', '15'),
    { applied: 'openLong', quantity: '15', cash: '98500', orders: ['ENTRY BUY 15'] },
  ],
  [
    'target long 15 from long 10',
    [LONG_10],
    tv('setPosition', 'long', '15'),
    { applied: 'openLong', quantity: '15', cash: '98500', orders: ['ENTRY BUY 5'] },
  ],
  [
    'target long 4 from long 10',
    [LONG_10],
    tv('setPosition', 'long', '4'),
    { applied: 'closeLong', quantity: '4', cash: '99600', orders: ['CLOSE SELL 6'] },
  ],
  [
    'target short 5 from long 10: a reverse',
    [LONG_10],
    tv('setPosition', 'short', '5'),
    { applied: 'reverseToShort', quantity: '-5', cash: '100500', orders: ['CLOSE SELL 10', 'ENTRY SELL 5'] },
  ],
  [
    'target flat from long 10',
    [LONG_10],
    tv('setPosition', 'flat', '0'),
    { applied: 'closeLong', quantity: null, cash: '100000', orders: ['CLOSE SELL 10'] },
  ],
  [
    'target long 10 at long 10',
    [LONG_10],
    tv('setPosition', 'long', '10'),
    { rejected: 'ALREADY_AT_TARGET', applied: null },
  ],
  [
    'target long 5 from short 10: a reverse',
    [SHORT_10],
    tv('setPosition', 'long', '5'),
    { applied: 'reverseToLong', quantity: '5', cash: '99500', orders: ['CLOSE BUY 10', 'ENTRY BUY 5'] },
  ],
  [
    'target short 12 from short 10',
    [SHORT_10],
    tv('setPosition', 'short', '12'),
    { applied: 'openShort', quantity: '-12', cash: '101200', orders: ['ENTRY SELL 2'] },
  ],
  [
    'target flat from short 10',
    [SHORT_10],
    tv('setPosition', 'flat'),
    { applied: 'closeShort', quantity: null, cash: '100000', orders: ['CLOSE BUY 10'] },
  ],
  [
    'target 10% of equity from flat',
    [],
    tv('setPosition', 'long', '10', { quantityType: 'PERCENT_EQUITY' }),
    { applied: 'openLong', quantity: '100', cash: '90000', orders: ['ENTRY BUY 100'] },
  ],
];

async function appliedActionOf(s: Stack, f: Fixture, id: string): Promise<unknown> {
  const res = await fetch(`${s.url}/api/v1/signals/${id}`, { headers: { 'x-api-key': f.apiKey } });
  return ((await res.json()) as { appliedAction?: unknown }).appliedAction;
}

describe('TradingView signals, gateway → processor → paper fill', () => {
  const s = new Stack();
  beforeAll(() => s.start());
  afterAll(() => s.stop());

  it.each(cases)('%s', async (_name, before, body, expected) => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('T');
    await s.quote(symbol, '100');
    for (const b of before) await s.until(await s.send(f, { symbol, ...b }), ['FILLED']);
    const id = await s.send(f, { symbol: `NASDAQ:${symbol}`, price: '100', ...body });
    if ('rejected' in expected) {
      const signal = await s.until(id, ['REJECTED']);
      expect({ code: signal.errorCode, orders: signal.orders.length }).toEqual({ code: expected.rejected, orders: 0 });
      expect(await appliedActionOf(s, f, id)).toBe(expected.applied);
      return;
    }
    const signal = await s.until(id, ['FILLED']);
    expect(signal.symbol).toBe(symbol);
    expect(signal.orders.map((o) => `${o.role} ${o.side} ${o.filledQuantity.toFixed()}`)).toEqual(expected.orders);
    expect(await appliedActionOf(s, f, id)).toBe(expected.applied);
    const account = await s.account(f.accountId);
    expect(account.positions[symbol]?.quantity ?? null).toBe(expected.quantity);
    expect(account.cash).toBe(expected.cash);
  });

  it('a sequence of target positions, each filled before the next, ends at the last target', async () => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('Q');
    await s.quote(symbol, '100');
    const targets: [string, string, string | null][] = [
      ['long', '10', '10'],
      ['long', '15', '15'],
      ['short', '5', '-5'],
      ['short', '5', '-5'], // already there: REJECTED ALREADY_AT_TARGET, nothing moves
      ['flat', '0', null],
      ['long', '3', '3'],
    ];
    for (const [sentiment, quantity, position] of targets) {
      const id = await s.send(f, { symbol: `NASDAQ:${symbol}`, ...tv('setPosition', sentiment, quantity) });
      await s.until(id, ['FILLED', 'REJECTED']);
      expect((await s.account(f.accountId)).positions[symbol]?.quantity ?? null).toBe(position);
    }
  });

  it('the same targets sent back to back, without waiting: each decided on what the earlier ones left', async () => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('B');
    await s.quote(symbol, '100');
    const targets = [
      ['long', '10'],
      ['long', '15'],
      ['short', '5'],
      ['short', '5'],
      ['flat', '0'],
      ['long', '3'],
    ] as const;
    const ids: string[] = [];
    for (const [sentiment, quantity] of targets)
      ids.push(await s.send(f, { symbol: `NASDAQ:${symbol}`, ...tv('setPosition', sentiment, quantity) }));
    const outcomes: string[] = [];
    for (const id of ids) {
      const signal = await s.until(id, ['FILLED', 'REJECTED']);
      outcomes.push(
        signal.status === 'REJECTED'
          ? `REJECTED ${signal.errorCode ?? ''}`
          : `${signal.appliedAction ?? ''}: ${signal.orders.map((o) => `${o.role} ${o.side} ${o.filledQuantity.toFixed()}`).join(', ')}`,
      );
    }
    expect(outcomes).toEqual([
      'openLong: ENTRY BUY 10',
      'openLong: ENTRY BUY 5',
      'reverseToShort: CLOSE SELL 15, ENTRY SELL 5',
      'REJECTED ALREADY_AT_TARGET',
      'closeShort: CLOSE BUY 5',
      'openLong: ENTRY BUY 3',
    ]);
    expect((await s.account(f.accountId)).positions[symbol]?.quantity).toBe('3');
  });

  it('a missed alert heals: a target sent after a lost exit trades the whole difference', async () => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('H');
    await s.quote(symbol, '100');
    await s.until(await s.send(f, { symbol, ...tv('setPosition', 'long', '10') }), ['FILLED']);
    // TradingView went flat and then short 5; the "flat" alert never arrived. The next one says short 5:
    const id = await s.send(f, { symbol, ...tv('setPosition', 'short', '5') });
    const signal = await s.until(id, ['FILLED']);
    expect(signal.orders.map((o) => `${o.role} ${o.side} ${o.filledQuantity.toFixed()}`)).toEqual([
      'CLOSE SELL 10',
      'ENTRY SELL 5',
    ]);
    expect((await s.account(f.accountId)).positions[symbol]?.quantity).toBe('-5');
  });

  it("refuses an alert older than the account's maxSignalAgeSeconds when it is decided (STALE_SIGNAL)", async () => {
    const f = await s.fixture({ cash: '100000' });
    const symbol = uniqueSymbol('A');
    await s.quote(symbol, '100');
    await setRiskSettings(s.db.prisma, f.accountId, { maxSignalAgeSeconds: 30 });
    const old = new Date(Date.now() - 120_000).toISOString();
    const stale = await s.send(f, { symbol, ...tv('buy', 'long', '1'), sentAt: old });
    const refused = await s.until(stale, ['REJECTED']);
    expect(refused.errorCode).toBe('STALE_SIGNAL');
    expect(refused.errorMessage).toMatch(
      /^Signal is 1\d\d(\.\d)? s old \(sentAt .*\); the account's maxSignalAgeSeconds is 30$/,
    );
    const fresh = await s.send(f, { symbol, ...tv('buy', 'long', '1'), sentAt: Date.now() });
    expect((await s.until(fresh, ['FILLED'])).orders.map((o) => o.filledQuantity.toFixed())).toEqual(['1']);
  });
});
