import { Decimal } from '@utm/db';
import { applyToState, snapshotsFor, type AccountState, type OpenOrder, type OrderDraft } from '../../src/domain';

const D = (v: string | number) => new Decimal(v);

function state(position: string | null, orders: Partial<OpenOrder>[], quote: string | null = '10'): AccountState {
  return {
    account: {
      id: 'a',
      broker: 'paper',
      cash: D('1000'),
      tradingState: 'ACTIVE',
      allowFractional: false,
      venue: 'paper',
      maxOrderNotional: null,
      maxPositionQuantity: null,
      allowedSymbols: [],
      maxSignalAgeSeconds: null,
    },
    positions: new Map(position === null ? [] : [['X', { quantity: D(position), avgPrice: D('8') }]]),
    quotes: new Map(quote === null ? [] : [['X', D(quote)]]),
    openOrders: orders.map((o, i) => ({
      id: `o${i}`,
      role: 'ENTRY',
      side: 'BUY',
      symbol: 'X',
      type: 'MARKET',
      status: 'ACCEPTED',
      quantity: D(1),
      filledQuantity: D(0),
      priceBasis: D(10),
      cancelRequested: false,
      changedAt: new Date(0),
      ...o,
    })),
  };
}

describe('snapshotsFor: the projected position walks open orders in sequence', () => {
  it.each([
    ['flat, nothing open', null, [], '0'],
    ['long 5', '5', [], '5'],
    ['long 5 + a buy entry of 3 (1 filled)', '5', [{ quantity: D(3), filledQuantity: D(1) }], '7'],
    ['flat + sell entry 4', null, [{ side: 'SELL' as const, quantity: D(4) }], '-4'],
    [
      'long 5, close SELL 8: stops at 0, never short',
      '5',
      [{ role: 'CLOSE' as const, side: 'SELL' as const, quantity: D(8) }],
      '0',
    ],
    ['short 5, close BUY 2', '-5', [{ role: 'CLOSE' as const, side: 'BUY' as const, quantity: D(2) }], '-3'],
    [
      'close first, then a new entry',
      '5',
      [
        { role: 'CLOSE' as const, side: 'SELL' as const, quantity: D(5) },
        { side: 'SELL' as const, quantity: D(2) },
      ],
      '-2',
    ],
    ['exit legs do not move it', '5', [{ role: 'STOP_LOSS' as const, side: 'SELL' as const, quantity: D(5) }], '5'],
    [
      'a close on the wrong side does nothing',
      '5',
      [{ role: 'CLOSE' as const, side: 'BUY' as const, quantity: D(5) }],
      '5',
    ],
  ])('%s → %s', (_n, position, orders, projected) => {
    const snap = snapshotsFor(state(position, orders), 'X');
    expect(snap.symbol.projectedQuantity.toFixed()).toBe(projected);
    expect(snap.symbol.filledQuantity.toFixed()).toBe(position ?? '0');
  });

  it('reserves buying power for every open entry (remaining × price basis), none for closes', () => {
    const s = state('5', [
      { quantity: D(3), filledQuantity: D(1), priceBasis: D('10.5') },
      { side: 'SELL', quantity: D(2), priceBasis: D(20), symbol: 'Y' },
      { role: 'CLOSE', side: 'SELL', quantity: D(5), priceBasis: D(10) },
    ]);
    expect(snapshotsFor(s, 'X').account.reservations.toFixed()).toBe('61');
  });

  it('lists exit legs and entries of the symbol only, and marks positions to the quote, else the entry price', () => {
    const s = state('5', [{ role: 'TAKE_PROFIT', side: 'SELL' }, { symbol: 'Y' }, { side: 'SELL' }]);
    const snap = snapshotsFor(s, 'X');
    expect(snap.symbol.openExitOrderIds).toEqual(['o0']);
    expect(snap.symbol.openEntryOrders).toEqual([{ id: 'o2', side: 'SELL' }]);
    expect(snap.account.positions).toEqual([{ symbol: 'X', quantity: D(5), mark: D(10) }]);
    expect(snapshotsFor(state('5', [], null), 'X').account.positions[0]?.mark.toFixed()).toBe('8');
  });

  it('step follows the account: whole units, or 0.000001 when fractions are allowed', () => {
    const s = state(null, []);
    expect(snapshotsFor(s, 'X').symbol.instrument.quantityStep.toFixed()).toBe('1');
    s.account.allowFractional = true;
    expect(snapshotsFor(s, 'X').symbol.instrument.quantityStep.toFixed()).toBe('0.000001');
  });
});

describe('applyToState keeps the state current within a transaction', () => {
  it('adds the new orders and drops the cancelled ones', () => {
    const s = state('5', [{ quantity: D(2) }, { role: 'STOP_LOSS', side: 'SELL', quantity: D(5) }]);
    const close: OrderDraft = {
      role: 'CLOSE',
      side: 'SELL',
      type: 'MARKET',
      quantity: D(7),
      limitPrice: null,
      stopPrice: null,
      timeInForce: 'DAY',
      priceBasis: D(10),
      exitRules: null,
    };
    applyToState(s, 'X', [{ id: 'n1', draft: close }], ['o0', 'o1']);
    expect(s.openOrders.filter((o) => !o.cancelRequested).map((o) => o.id)).toEqual(['n1']);
    expect(snapshotsFor(s, 'X').symbol.projectedQuantity.toFixed()).toBe('0');
  });
});
