/**
 * TradingView's words through decide(): buy/sell × sentiment and setPosition, each row of the
 * table on a flat, a long and a short position (the position the decision is taken on), with
 * the action it is applied as and the orders it becomes; then sentAt against maxSignalAgeSeconds.
 */
import type { NormalizedIngestRequest } from '@utm/contracts';
import { decide } from '../../src/domain/decide';
import { usesHeldPosition } from '../../src/domain/settlement';
import { resolveAction } from '../../src/domain/tradingview';
import type { Decision } from '../../src/domain/types';
import { account, D, holding, NOW, request, symbol } from './helpers';

type Order = [role: 'ENTRY' | 'CLOSE', side: 'BUY' | 'SELL', quantity: string];
type Expected = { applied: string; orders: Order[] } | { reject: string; applied?: string };

function outcome(d: Decision): Expected {
  if (d.kind === 'reject') return d.appliedAction ? { reject: d.code, applied: d.appliedAction } : { reject: d.code };
  return { applied: d.appliedAction ?? '', orders: d.orders.map((o) => [o.role, o.side, o.quantity.toFixed()]) };
}

const tv = (action: 'buy' | 'sell' | 'setPosition', sentiment: string, quantity?: string, extra = {}) =>
  request(action, {
    sentiment: sentiment as NormalizedIngestRequest['sentiment'],
    ...(quantity === undefined ? {} : { quantity }),
    ...extra,
  });

describe('buy and sell with a sentiment, on the position held when decided', () => {
  it.each<[string, NormalizedIngestRequest, number, Expected]>([
    // buy, long: openLong if flat or long; reverse from a short, the order's size including the close.
    [
      'buy long, flat → openLong 15',
      tv('buy', 'long', '15'),
      0,
      { applied: 'openLong', orders: [['ENTRY', 'BUY', '15']] },
    ],
    [
      'buy long, long 10 → openLong 15 (adds)',
      tv('buy', 'long', '15'),
      10,
      { applied: 'openLong', orders: [['ENTRY', 'BUY', '15']] },
    ],
    [
      'buy long 15, short 10 → reverseToLong: close 10, open 5',
      tv('buy', 'long', '15'),
      -10,
      {
        applied: 'reverseToLong',
        orders: [
          ['CLOSE', 'BUY', '10'],
          ['ENTRY', 'BUY', '5'],
        ],
      },
    ],
    [
      'buy long 10, short 10 → closeShort, nothing opened',
      tv('buy', 'long', '10'),
      -10,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '10']] },
    ],
    [
      'buy long 6, short 10 → closeShort of the whole short, nothing opened',
      tv('buy', 'long', '6'),
      -10,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '10']] },
    ],
    // buy, flat: closeShort of the whole position; quantity ignored.
    [
      'buy flat, short 10 → closeShort 10',
      tv('buy', 'flat', '3'),
      -10,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '10']] },
    ],
    ['buy flat, flat → NO_POSITION', tv('buy', 'flat'), 0, { reject: 'NO_POSITION', applied: 'closeShort' }],
    ['buy flat, long 10 → NO_POSITION', tv('buy', 'flat', '0'), 10, { reject: 'NO_POSITION', applied: 'closeShort' }],
    // buy, short: a short being reduced by quantity.
    [
      'buy short 4, short 10 → closeShort 4',
      tv('buy', 'short', '4'),
      -10,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '4']] },
    ],
    [
      'buy short 4, short 3 → closeShort 3 (capped at the position)',
      tv('buy', 'short', '4'),
      -3,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '3']] },
    ],
    ['buy short 4, flat → NO_POSITION', tv('buy', 'short', '4'), 0, { reject: 'NO_POSITION', applied: 'closeShort' }],
    [
      'buy short 4, long 10 → NO_POSITION',
      tv('buy', 'short', '4'),
      10,
      { reject: 'NO_POSITION', applied: 'closeShort' },
    ],
    // sell: the mirror.
    [
      'sell short, flat → openShort 15',
      tv('sell', 'short', '15'),
      0,
      { applied: 'openShort', orders: [['ENTRY', 'SELL', '15']] },
    ],
    [
      'sell short, short 10 → openShort 15 (adds)',
      tv('sell', 'short', '15'),
      -10,
      { applied: 'openShort', orders: [['ENTRY', 'SELL', '15']] },
    ],
    [
      'sell short 15, long 10 → reverseToShort: close 10, open 5',
      tv('sell', 'short', '15'),
      10,
      {
        applied: 'reverseToShort',
        orders: [
          ['CLOSE', 'SELL', '10'],
          ['ENTRY', 'SELL', '5'],
        ],
      },
    ],
    [
      'sell short 10, long 10 → closeLong, nothing opened',
      tv('sell', 'short', '10'),
      10,
      { applied: 'closeLong', orders: [['CLOSE', 'SELL', '10']] },
    ],
    [
      'sell flat, long 10 → closeLong 10',
      tv('sell', 'flat', '10'),
      10,
      { applied: 'closeLong', orders: [['CLOSE', 'SELL', '10']] },
    ],
    ['sell flat, flat → NO_POSITION', tv('sell', 'flat'), 0, { reject: 'NO_POSITION', applied: 'closeLong' }],
    ['sell flat, short 10 → NO_POSITION', tv('sell', 'flat'), -10, { reject: 'NO_POSITION', applied: 'closeLong' }],
    [
      'sell long 4, long 10 → closeLong 4',
      tv('sell', 'long', '4'),
      10,
      { applied: 'closeLong', orders: [['CLOSE', 'SELL', '4']] },
    ],
    ['sell long 4, flat → NO_POSITION', tv('sell', 'long', '4'), 0, { reject: 'NO_POSITION', applied: 'closeLong' }],
    [
      'sell long 4, short 10 → NO_POSITION',
      tv('sell', 'long', '4'),
      -10,
      { reject: 'NO_POSITION', applied: 'closeLong' },
    ],
  ])('%s', (_name, req, position, expected) => {
    expect(outcome(decide(req, account(), holding(position), NOW))).toEqual(expected);
  });

  it('says what was sent and what it was applied as', () => {
    const d = decide(tv('buy', 'long', '15'), account(), holding(-10), NOW);
    expect(d.kind === 'accept' && d.notes[0]).toBe(
      'buy with sentiment long on a short position of 10 AAPL: applied as reverseToLong (close 10, open 5: 15 in all)',
    );
    const none = decide(tv('buy', 'long', '6'), account(), holding(-10), NOW);
    expect(none.kind === 'accept' && none.notes[0]).toBe(
      "buy with sentiment long on a short position of 10 AAPL: applied as closeShort (the order's 6 covers no more than the 10 held: the position is closed, nothing opened)",
    );
  });

  it("sizes the order's quantity before taking the closed size off it (PERCENT_EQUITY)", () => {
    // 4.5% of 100,000 equity at 150 = 30 shares: close the 10 short, open 20.
    const d = decide(tv('buy', 'long', '4.5', { quantityType: 'PERCENT_EQUITY' }), account(), holding(-10), NOW);
    expect(outcome(d)).toEqual({
      applied: 'reverseToLong',
      orders: [
        ['CLOSE', 'BUY', '10'],
        ['ENTRY', 'BUY', '20'],
      ],
    });
  });

  it('keeps exit rules for the part it opens', () => {
    const exitRules = { stopLoss: { type: 'PERCENT' as const, value: '2' } };
    const d = decide(tv('buy', 'long', '15', { exitRules }), account(), holding(-10), NOW);
    expect(d.kind === 'accept' && d.orders.map((o) => o.exitRules)).toEqual([null, exitRules]);
  });

  it('is decided on the projected position (orders already decided but not filled), not the filled one', () => {
    const pending = symbol({ filledQuantity: D(0), projectedQuantity: D(-10) });
    expect(outcome(decide(tv('buy', 'long', '15'), account(), pending, NOW))).toMatchObject({
      applied: 'reverseToLong',
    });
  });
});

describe('setPosition: the difference from the position held when decided', () => {
  it.each<[string, NormalizedIngestRequest, number, Expected]>([
    [
      'flat → long 15: buy 15',
      tv('setPosition', 'long', '15'),
      0,
      { applied: 'openLong', orders: [['ENTRY', 'BUY', '15']] },
    ],
    [
      'long 10 → long 15: buy 5',
      tv('setPosition', 'long', '15'),
      10,
      { applied: 'openLong', orders: [['ENTRY', 'BUY', '5']] },
    ],
    [
      'long 10 → long 4: sell 6',
      tv('setPosition', 'long', '4'),
      10,
      { applied: 'closeLong', orders: [['CLOSE', 'SELL', '6']] },
    ],
    ['long 10 → long 10: ALREADY_AT_TARGET', tv('setPosition', 'long', '10'), 10, { reject: 'ALREADY_AT_TARGET' }],
    [
      'long 10 → short 5: close 10, open 5 (a reverse)',
      tv('setPosition', 'short', '5'),
      10,
      {
        applied: 'reverseToShort',
        orders: [
          ['CLOSE', 'SELL', '10'],
          ['ENTRY', 'SELL', '5'],
        ],
      },
    ],
    [
      'long 10 → flat: sell 10',
      tv('setPosition', 'flat', '0'),
      10,
      { applied: 'closeLong', orders: [['CLOSE', 'SELL', '10']] },
    ],
    ['flat → flat: ALREADY_AT_TARGET', tv('setPosition', 'flat'), 0, { reject: 'ALREADY_AT_TARGET' }],
    [
      'flat → short 5: sell 5',
      tv('setPosition', 'short', '5'),
      0,
      { applied: 'openShort', orders: [['ENTRY', 'SELL', '5']] },
    ],
    [
      'short 10 → short 12: sell 2',
      tv('setPosition', 'short', '12'),
      -10,
      { applied: 'openShort', orders: [['ENTRY', 'SELL', '2']] },
    ],
    [
      'short 10 → short 4: buy 6',
      tv('setPosition', 'short', '4'),
      -10,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '6']] },
    ],
    ['short 10 → short 10: ALREADY_AT_TARGET', tv('setPosition', 'short', '10'), -10, { reject: 'ALREADY_AT_TARGET' }],
    [
      'short 10 → long 5: close 10, open 5 (a reverse)',
      tv('setPosition', 'long', '5'),
      -10,
      {
        applied: 'reverseToLong',
        orders: [
          ['CLOSE', 'BUY', '10'],
          ['ENTRY', 'BUY', '5'],
        ],
      },
    ],
    [
      'short 10 → flat: buy 10',
      tv('setPosition', 'flat'),
      -10,
      { applied: 'closeShort', orders: [['CLOSE', 'BUY', '10']] },
    ],
    [
      'a target rounded down to the step: long 10.7 on long 10 (whole shares)',
      tv('setPosition', 'long', '10.7'),
      10,
      { reject: 'ALREADY_AT_TARGET' },
    ],
    [
      'PERCENT_EQUITY: 15% of 100,000 at 150 = 100 from flat',
      tv('setPosition', 'long', '15', { quantityType: 'PERCENT_EQUITY' }),
      0,
      { applied: 'openLong', orders: [['ENTRY', 'BUY', '100']] },
    ],
    [
      'PERCENT_EQUITY: short 1.5% = 10 from short 10: ALREADY_AT_TARGET',
      tv('setPosition', 'short', '1.5', { quantityType: 'PERCENT_EQUITY' }),
      -10,
      { reject: 'ALREADY_AT_TARGET' },
    ],
    [
      'DOLLAR_AMOUNT: long 3,000.00 at 150 = 20 from long 10: buy 10',
      tv('setPosition', 'long', '3000', { quantityType: 'DOLLAR_AMOUNT' }),
      10,
      { applied: 'openLong', orders: [['ENTRY', 'BUY', '10']] },
    ],
  ])('%s', (_name, req, position, expected) => {
    // Cash that keeps equity at 100,000.00 whatever the position (marked at 150).
    const acct = account({
      cash: D(100000).minus(D(position).times(150)),
      positions: position ? [{ symbol: 'AAPL', quantity: D(position), mark: D(150) }] : [],
    });
    expect(outcome(decide(req, acct, holding(position), NOW))).toEqual(expected);
  });

  it('words ALREADY_AT_TARGET with the target', () => {
    expect(decide(tv('setPosition', 'long', '10'), account(), holding(10), NOW)).toEqual({
      kind: 'reject',
      code: 'ALREADY_AT_TARGET',
      message: 'Already at the target position: long 10 AAPL',
    });
  });

  it('says a target rounded to nothing is flat, and why', () => {
    const d = decide(tv('setPosition', 'short', '0.4'), account(), holding(0), NOW);
    expect(d).toEqual({
      kind: 'reject',
      code: 'ALREADY_AT_TARGET',
      message: 'Already at the target position: flat in AAPL (0.4 AAPL rounds down to 0 at a quantity step of 1)',
    });
  });

  it('a PERCENT_EQUITY target without any price: NO_PRICE, nothing applied', () => {
    const d = decide(
      tv('setPosition', 'long', '10', { quantityType: 'PERCENT_EQUITY' }),
      account(),
      holding(0, { quote: null }),
      NOW,
    );
    expect(outcome(d)).toEqual({ reject: 'NO_PRICE' });
  });

  it('a reduce-only account takes a smaller target and refuses a larger one', () => {
    const ro = account({ tradingState: 'REDUCE_ONLY' });
    expect(outcome(decide(tv('setPosition', 'long', '4'), ro, holding(10), NOW))).toEqual({
      applied: 'closeLong',
      orders: [['CLOSE', 'SELL', '6']],
    });
    expect(outcome(decide(tv('setPosition', 'long', '12'), ro, holding(10), NOW))).toEqual({
      reject: 'REDUCE_ONLY',
      applied: 'openLong',
    });
  });

  it('passes the six actions through as sent', () => {
    const req = request('closeLong', { quantity: 3 });
    expect(resolveAction(req, D(10), { price: D(150), equity: D(100000), step: D(1) })).toEqual({
      kind: 'resolved',
      request: req,
      appliedAction: 'closeLong',
      note: null,
    });
    expect(outcome(decide(req, account(), holding(10), NOW))).toEqual({
      applied: 'closeLong',
      orders: [['CLOSE', 'SELL', '3']],
    });
  });
});

describe('sentAt against the account maxSignalAgeSeconds, at the moment of decision', () => {
  const at = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
  const limited = account({ maxSignalAgeSeconds: 30 });
  it.each<[string, NormalizedIngestRequest, ReturnType<typeof account>, string]>([
    ['30 s old, limit 30: decided', request('openLong', { quantity: 1, sentAt: at(30) }), limited, 'accept'],
    [
      '30.001 s old, limit 30: STALE_SIGNAL',
      request('openLong', { quantity: 1, sentAt: at(30.001) }),
      limited,
      'STALE_SIGNAL',
    ],
    [
      'epoch milliseconds',
      request('openLong', { quantity: 1, sentAt: NOW.getTime() - 45000 }),
      limited,
      'STALE_SIGNAL',
    ],
    ['ahead of the clock (skew): decided', request('openLong', { quantity: 1, sentAt: at(-50) }), limited, 'accept'],
    ['no sentAt: decided', request('openLong', { quantity: 1 }), limited, 'accept'],
    [
      'no limit set: a year old is decided',
      request('openLong', { quantity: 1, sentAt: at(31_536_000) }),
      account(),
      'accept',
    ],
    [
      'stale before anything else (a halted account)',
      request('openLong', { quantity: 1, sentAt: at(60) }),
      account({ maxSignalAgeSeconds: 30, tradingState: 'HALTED' }),
      'STALE_SIGNAL',
    ],
  ])('%s', (_name, req, acct, expected) => {
    const d = decide(req, acct, symbol(), NOW);
    expect(d.kind === 'reject' ? d.code : d.kind).toBe(expected);
  });

  it('says how old the signal was, when it was sent and decided, and the limit', () => {
    const d = decide(request('openLong', { quantity: 1, sentAt: '2026-12-02T13:58:45Z' }), limited, symbol(), NOW);
    expect(d).toEqual({
      kind: 'reject',
      code: 'STALE_SIGNAL',
      message:
        "Signal is 75 s old (sentAt 2026-12-02T13:58:45.000Z, decided 2026-12-02T14:00:00.000Z); the account's maxSignalAgeSeconds is 30",
    });
  });
});

describe('sequencing: what a TradingView signal waits for', () => {
  it.each<[string, boolean]>([
    ['buy', true],
    ['sell', true],
    ['setPosition', true],
    ['openLong', false],
    ['closeLong', true],
  ])('%s is decided on the position held, so it waits for earlier fills like a close: %s', (action, held) => {
    expect(usesHeldPosition({ action: action as NormalizedIngestRequest['action'], quantityType: 'FIXED' })).toBe(held);
  });
});
