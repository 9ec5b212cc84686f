/** decide(): what an accepted signal becomes — position rules, sizing, drafts, closes, reverses, cancels. */
import { decide } from '../../src/domain/decide';
import type { SymbolSnapshot } from '../../src/domain/types';
import { account, D, expectAccepted, fractional, holding, market, NOW, request, symbol } from './helpers';
import { LONG_10, SHORT_10, runAcceptances, runRejections } from './decide-cases';

describe('decide: position rules (against the projected position)', () => {
  runRejections([
    {
      name: 'openLong on a short → POSITION_CONFLICT',
      req: request('openLong', { quantity: 5 }),
      sym: SHORT_10,
      code: 'POSITION_CONFLICT',
      message: 'openLong on a short position of 10 AAPL: use reverseToLong',
    },
    {
      name: 'openShort on a long → POSITION_CONFLICT',
      req: request('openShort', { quantity: 5 }),
      sym: LONG_10,
      code: 'POSITION_CONFLICT',
      message: 'openShort on a long position of 10 AAPL: use reverseToShort',
    },
    {
      name: 'openLong when flat but a short entry is open (projected short) → POSITION_CONFLICT',
      req: request('openLong', { quantity: 5 }),
      sym: symbol({ filledQuantity: D(0), projectedQuantity: D(-4) }),
      code: 'POSITION_CONFLICT',
      message: 'openLong on a short position of 4 AAPL: use reverseToLong',
    },
    {
      name: 'POSITION_CONFLICT comes before NO_PRICE',
      req: request('openLong', { quantity: 5 }),
      sym: holding(-10, { quote: null }),
      code: 'POSITION_CONFLICT',
      message: 'openLong on a short position of 10 AAPL: use reverseToLong',
    },
    {
      name: 'closeLong when flat → NO_POSITION',
      req: request('closeLong'),
      code: 'NO_POSITION',
      message: 'No long position in AAPL to close',
    },
    {
      name: 'closeLong on a short → NO_POSITION',
      req: request('closeLong'),
      sym: SHORT_10,
      code: 'NO_POSITION',
      message: 'No long position in AAPL to close',
    },
    {
      name: 'closeShort when flat → NO_POSITION',
      req: request('closeShort'),
      code: 'NO_POSITION',
      message: 'No short position in AAPL to close',
    },
    {
      name: 'closeShort on a long → NO_POSITION',
      req: request('closeShort'),
      sym: LONG_10,
      code: 'NO_POSITION',
      message: 'No short position in AAPL to close',
    },
    {
      name: 'closeLong of a long already being closed (filled 10, projected 0) → NO_POSITION',
      req: request('closeLong'),
      sym: symbol({ filledQuantity: D(10), projectedQuantity: D(0) }),
      code: 'NO_POSITION',
      message: 'No long position in AAPL to close',
    },
    {
      name: 'reverseToLong from flat without a quantity → NO_POSITION',
      req: request('reverseToLong'),
      code: 'NO_POSITION',
      message: 'No opposite position in AAPL to reverse, and no quantity given',
    },
    {
      name: 'reverseToLong from a long without a quantity → NO_POSITION',
      req: request('reverseToLong'),
      sym: LONG_10,
      code: 'NO_POSITION',
      message: 'No opposite position in AAPL to reverse, and no quantity given',
    },
    {
      name: 'reverseToShort from a short without a quantity → NO_POSITION',
      req: request('reverseToShort'),
      sym: SHORT_10,
      code: 'NO_POSITION',
      message: 'No opposite position in AAPL to reverse, and no quantity given',
    },
    {
      name: 'openLong PERCENT_POSITION when flat → NO_POSITION',
      req: request('openLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }),
      code: 'NO_POSITION',
      message: 'PERCENT_POSITION needs a position in AAPL; there is none',
    },
  ]);

  runAcceptances([
    {
      name: 'openLong when the filled short is being closed (filled −10, projected 0)',
      req: request('openLong', { quantity: 5 }),
      sym: symbol({ filledQuantity: D(-10), projectedQuantity: D(0) }),
      orders: [market('ENTRY', 'BUY', '5', '150')],
    },
    {
      name: 'closeLong of a long still in an open entry (filled 0, projected 10)',
      req: request('closeLong'),
      sym: symbol({ filledQuantity: D(0), projectedQuantity: D(10) }),
      orders: [market('CLOSE', 'SELL', '10', '150')],
    },
  ]);
});

describe('decide: sizing', () => {
  runRejections([
    {
      name: 'FIXED 0.5 in whole shares → ZERO_QUANTITY',
      req: request('openLong', { quantity: 0.5 }),
      code: 'ZERO_QUANTITY',
      message: '0.5 AAPL rounds down to 0 at a quantity step of 1',
    },
    {
      name: 'DOLLAR_AMOUNT 75 at 150 → ZERO_QUANTITY',
      req: request('openShort', { quantity: 75, quantityType: 'DOLLAR_AMOUNT' }),
      code: 'ZERO_QUANTITY',
      message: '0.5 AAPL rounds down to 0 at a quantity step of 1',
    },
    {
      name: 'closeLong PERCENT_POSITION 33% of 1 → ZERO_QUANTITY',
      req: request('closeLong', { quantity: 33, quantityType: 'PERCENT_POSITION' }),
      sym: holding(1),
      code: 'ZERO_QUANTITY',
      message: '0.33 AAPL rounds down to 0 at a quantity step of 1',
    },
  ]);

  runAcceptances([
    {
      name: 'FIXED 10 (MARKET, DAY)',
      req: request('openLong', { quantity: 10 }),
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'FIXED 10.9 rounds down to 10',
      req: request('openLong', { quantity: 10.9 }),
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'DOLLAR_AMOUNT 1000 at 333.33 → 3',
      req: request('openLong', { quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }),
      sym: symbol({ quote: D('333.33') }),
      orders: [market('ENTRY', 'BUY', '3', '333.33')],
    },
    {
      name: 'PERCENT_EQUITY 10% of 100,000 at 150 → 66',
      req: request('openLong', { quantity: 10, quantityType: 'PERCENT_EQUITY' }),
      orders: [market('ENTRY', 'BUY', '66', '150')],
    },
    {
      name: 'PERCENT_EQUITY counts positions at their mark (cash 50,000 + 100 MSFT at 500)',
      req: request('openLong', { quantity: 10, quantityType: 'PERCENT_EQUITY' }),
      acct: account({ cash: D('50000'), positions: [{ symbol: 'MSFT', quantity: D(100), mark: D(500) }] }),
      orders: [market('ENTRY', 'BUY', '66', '150')],
    },
    {
      name: 'PERCENT_EQUITY counts shorts negatively (cash 120,000 − 40 MSFT at 500)',
      req: request('openShort', { quantity: 10, quantityType: 'PERCENT_EQUITY' }),
      acct: account({ cash: D('120000'), positions: [{ symbol: 'MSFT', quantity: D(-40), mark: D(500) }] }),
      orders: [market('ENTRY', 'SELL', '66', '150')],
    },
    {
      name: 'openLong PERCENT_POSITION 50% of a long 10 adds 5',
      req: request('openLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }),
      sym: LONG_10,
      orders: [market('ENTRY', 'BUY', '5', '150')],
    },
    {
      name: 'LIMIT orders are sized at the limit price (10,000 at 125 → 80, not 66 at the quote)',
      req: request('openLong', { quantity: 10000, quantityType: 'DOLLAR_AMOUNT', orderType: 'LIMIT', limitPrice: 125 }),
      orders: [market('ENTRY', 'BUY', '80', '125', { type: 'LIMIT', limitPrice: '125' })],
    },
    {
      name: 'STOP orders are sized at the stop price (10,000 at 200 → 50)',
      req: request('openLong', { quantity: 10000, quantityType: 'DOLLAR_AMOUNT', orderType: 'STOP', stopPrice: 200 }),
      orders: [market('ENTRY', 'BUY', '50', '200', { type: 'STOP', stopPrice: '200' })],
    },
    {
      name: 'STOP_LIMIT orders are sized at the limit price (10,000 at 250 → 40)',
      req: request('openShort', {
        quantity: 10000,
        quantityType: 'DOLLAR_AMOUNT',
        orderType: 'STOP_LIMIT',
        limitPrice: 250,
        stopPrice: 240,
      }),
      orders: [market('ENTRY', 'SELL', '40', '250', { type: 'STOP_LIMIT', limitPrice: '250', stopPrice: '240' })],
    },
  ]);

  describe('fractional accounts (step 0.000001)', () => {
    const acct = account({ allowFractional: true });
    runAcceptances([
      {
        name: 'DOLLAR_AMOUNT 1000 at 333.33 → 3.00003',
        req: request('openLong', { quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }),
        acct,
        sym: symbol({ quote: D('333.33'), instrument: fractional }),
        orders: [market('ENTRY', 'BUY', '3.00003', '333.33')],
      },
      {
        name: 'FIXED 0.5',
        req: request('openLong', { quantity: 0.5 }),
        acct,
        sym: symbol({ instrument: fractional }),
        orders: [market('ENTRY', 'BUY', '0.5', '150')],
      },
      {
        name: 'FIXED 0.1234567 rounds down to 0.123456',
        req: request('openShort', { quantity: 0.1234567 }),
        acct,
        sym: symbol({ instrument: fractional }),
        orders: [market('ENTRY', 'SELL', '0.123456', '150')],
      },
      {
        name: 'PERCENT_EQUITY 10% of 100,000 at 150 → 66.666666',
        req: request('openLong', { quantity: 10, quantityType: 'PERCENT_EQUITY' }),
        acct,
        sym: symbol({ instrument: fractional }),
        orders: [market('ENTRY', 'BUY', '66.666666', '150')],
      },
      {
        name: 'closeLong PERCENT_POSITION 50% of 0.000003 → 0.000001',
        req: request('closeLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }),
        acct,
        sym: holding('0.000003', { instrument: fractional }),
        orders: [market('CLOSE', 'SELL', '0.000001', '150')],
      },
      {
        name: 'reverseToLong from a short of 2.5',
        req: request('reverseToLong'),
        acct,
        sym: holding('-2.5', { instrument: fractional }),
        orders: [market('CLOSE', 'BUY', '2.5', '150'), market('ENTRY', 'BUY', '2.5', '150')],
      },
      {
        name: 'spending exactly the cash at an awkward price (3.00003 × 333.33 = 999.9999999 ≤ 1,000)',
        req: request('openLong', { quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }),
        acct: account({ allowFractional: true, cash: D('1000') }),
        sym: symbol({ quote: D('333.33'), instrument: fractional }),
        orders: [market('ENTRY', 'BUY', '3.00003', '333.33')],
      },
    ]);
  });
});

describe('decide: order drafts', () => {
  runAcceptances([
    {
      name: 'openLong MARKET FIXED',
      req: request('openLong', { quantity: 10 }),
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'openLong adds to a long',
      req: request('openLong', { quantity: 10 }),
      sym: LONG_10,
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'openShort adds to a short',
      req: request('openShort', { quantity: 10 }),
      sym: SHORT_10,
      orders: [market('ENTRY', 'SELL', '10', '150')],
    },
    {
      name: 'openLong LIMIT GTC',
      req: request('openLong', { quantity: 10, orderType: 'LIMIT', limitPrice: 148.5, timeInForce: 'GTC' }),
      orders: [market('ENTRY', 'BUY', '10', '148.5', { type: 'LIMIT', limitPrice: '148.5', timeInForce: 'GTC' })],
    },
    {
      name: 'openShort STOP IOC',
      req: request('openShort', { quantity: 10, orderType: 'STOP', stopPrice: 145, timeInForce: 'IOC' }),
      orders: [market('ENTRY', 'SELL', '10', '145', { type: 'STOP', stopPrice: '145', timeInForce: 'IOC' })],
    },
    {
      name: 'openLong STOP_LIMIT FOK',
      req: request('openLong', {
        quantity: 10,
        orderType: 'STOP_LIMIT',
        limitPrice: 153.25,
        stopPrice: 152,
        timeInForce: 'FOK',
      }),
      orders: [
        market('ENTRY', 'BUY', '10', '153.25', {
          type: 'STOP_LIMIT',
          limitPrice: '153.25',
          stopPrice: '152',
          timeInForce: 'FOK',
        }),
      ],
    },
    {
      name: 'closeLong LIMIT GTC keeps the order type and is based at the limit',
      req: request('closeLong', { orderType: 'LIMIT', limitPrice: 155, timeInForce: 'GTC' }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '155', { type: 'LIMIT', limitPrice: '155', timeInForce: 'GTC' })],
    },
  ]);
});

describe('decide: closes', () => {
  runAcceptances([
    {
      name: 'closeLong without quantity closes the whole long',
      req: request('closeLong'),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '150')],
    },
    {
      name: 'closeShort without quantity closes the whole short',
      req: request('closeShort'),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150')],
    },
    {
      name: 'without quantity: the whole projected position (filled 10 + open entry 5)',
      req: request('closeLong'),
      sym: symbol({ filledQuantity: D(10), projectedQuantity: D(15) }),
      orders: [market('CLOSE', 'SELL', '15', '150')],
    },
    {
      name: 'closeLong FIXED 4 of 10',
      req: request('closeLong', { quantity: 4 }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '4', '150')],
    },
    {
      name: 'closeLong FIXED 10 of 10 (no note)',
      req: request('closeLong', { quantity: 10 }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '150')],
    },
    {
      name: 'closeLong FIXED 15 of 10 is capped at the position, with a note',
      req: request('closeLong', { quantity: 15 }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '150')],
      notes: ['Asked to close 15 AAPL; the position is 10: closing 10'],
    },
    {
      name: 'closeShort FIXED 25 of 10 is capped at the position, with a note',
      req: request('closeShort', { quantity: 25 }),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150')],
      notes: ['Asked to close 25 AAPL; the position is 10: closing 10'],
    },
    {
      name: 'closeLong PERCENT_POSITION 50% of 10',
      req: request('closeLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '5', '150')],
    },
    {
      name: 'closeLong PERCENT_POSITION 50% of 3 rounds down to 1',
      req: request('closeLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }),
      sym: holding(3),
      orders: [market('CLOSE', 'SELL', '1', '150')],
    },
    {
      name: 'closeShort PERCENT_POSITION 100%',
      req: request('closeShort', { quantity: 100, quantityType: 'PERCENT_POSITION' }),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150')],
    },
    {
      name: 'closeShort DOLLAR_AMOUNT 750 at 150',
      req: request('closeShort', { quantity: 750, quantityType: 'DOLLAR_AMOUNT' }),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '5', '150')],
    },
    {
      name: 'closeLong FIXED 3.7 rounds down to whole shares',
      req: request('closeLong', { quantity: 3.7 }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '3', '150')],
    },
  ]);
});

describe('decide: reverses', () => {
  runAcceptances([
    {
      name: 'reverseToLong from a short of 10: CLOSE BUY 10 + ENTRY BUY 10',
      req: request('reverseToLong'),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150'), market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'reverseToShort from a long of 10: CLOSE SELL 10 + ENTRY SELL 10',
      req: request('reverseToShort'),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '150'), market('ENTRY', 'SELL', '10', '150')],
    },
    {
      name: 'reverseToLong FIXED 4 closes the whole short and opens 4',
      req: request('reverseToLong', { quantity: 4 }),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150'), market('ENTRY', 'BUY', '4', '150')],
    },
    {
      name: 'reverseToLong PERCENT_POSITION 50% of the short opens 5',
      req: request('reverseToLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }),
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150'), market('ENTRY', 'BUY', '5', '150')],
    },
    {
      name: 'reverseToLong with a sell entry resting (filled −10, projected −12): closes toward flat, opens what was held',
      req: request('reverseToLong'),
      sym: symbol({ filledQuantity: D(-10), projectedQuantity: D(-12) }),
      orders: [market('CLOSE', 'BUY', '12', '150'), market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'reverseToLong with only a resting sell entry (filled 0, projected −3): the close cancels it, the new side takes 3',
      req: request('reverseToLong'),
      sym: symbol({ filledQuantity: D(0), projectedQuantity: D(-3) }),
      orders: [market('CLOSE', 'BUY', '3', '150'), market('ENTRY', 'BUY', '3', '150')],
    },
    {
      name: 'reverseToLong from flat with a quantity: only the ENTRY',
      req: request('reverseToLong', { quantity: 5 }),
      orders: [market('ENTRY', 'BUY', '5', '150')],
    },
    {
      name: 'reverseToLong from a long with a quantity: only the ENTRY (adds)',
      req: request('reverseToLong', { quantity: 5 }),
      sym: LONG_10,
      orders: [market('ENTRY', 'BUY', '5', '150')],
    },
    {
      name: 'reverseToShort from a short with a quantity: only the ENTRY (adds)',
      req: request('reverseToShort', { quantity: 5 }),
      sym: SHORT_10,
      orders: [market('ENTRY', 'SELL', '5', '150')],
    },
    {
      name: 'reverseToShort LIMIT: both legs are LIMIT at the limit price',
      req: request('reverseToShort', { orderType: 'LIMIT', limitPrice: 151 }),
      sym: LONG_10,
      orders: [
        market('CLOSE', 'SELL', '10', '151', { type: 'LIMIT', limitPrice: '151' }),
        market('ENTRY', 'SELL', '10', '151', { type: 'LIMIT', limitPrice: '151' }),
      ],
    },
  ]);
});

describe('decide: orders to cancel first', () => {
  const withOrders = (position: number): SymbolSnapshot =>
    holding(position, {
      openExitOrderIds: ['sl-1', 'tp-1', 'trail-1'],
      openEntryOrders: [
        { id: 'buy-1', side: 'BUY' },
        { id: 'sell-1', side: 'SELL' },
        { id: 'buy-2', side: 'BUY' },
      ],
    });

  it.each([
    ['closeLong', 10, ['sl-1', 'tp-1', 'trail-1', 'buy-1', 'buy-2']],
    ['closeShort', -10, ['sl-1', 'tp-1', 'trail-1', 'sell-1']],
    ['reverseToLong', -10, ['sl-1', 'tp-1', 'trail-1', 'sell-1']],
    ['reverseToShort', 10, ['sl-1', 'tp-1', 'trail-1', 'buy-1', 'buy-2']],
  ] as const)(
    '%s of a position of %s cancels its exit legs and the entries on its side',
    (action, position, expected) => {
      const a = expectAccepted(decide(request(action), account(), withOrders(position), NOW));
      expect(a.cancelOrderIds).toEqual(expected);
    },
  );

  it.each([
    ['openLong', 10],
    ['openShort', -10],
    ['reverseToLong', 10], // nothing to close: it only opens
    ['reverseToShort', -10],
  ] as const)('%s on a position of %s cancels nothing', (action, position) => {
    const a = expectAccepted(decide(request(action, { quantity: 1 }), account(), withOrders(position), NOW));
    expect(a.cancelOrderIds).toEqual([]);
  });

  it('a partial close also cancels the exit legs', () => {
    const a = expectAccepted(decide(request('closeLong', { quantity: 1 }), account(), withOrders(10), NOW));
    expect(a.cancelOrderIds).toEqual(['sl-1', 'tp-1', 'trail-1', 'buy-1', 'buy-2']);
  });

  it('a close with no open orders cancels nothing', () => {
    expect(expectAccepted(decide(request('closeLong'), account(), LONG_10, NOW)).cancelOrderIds).toEqual([]);
  });
});

describe('decide: purity', () => {
  it('does not modify its inputs and decides the same twice', () => {
    const req = request('reverseToLong', { exitRules: { stopLoss: { type: 'PERCENT', value: 2 } } });
    const acct = account({ positions: [{ symbol: 'AAPL', quantity: D(-10), mark: D(150) }], reservations: D('100') });
    const sym = holding(-10, { openExitOrderIds: ['sl-1'], openEntryOrders: [{ id: 'sell-1', side: 'SELL' }] });
    const before = JSON.stringify({ req, acct, sym });
    const first = decide(req, acct, sym, NOW);
    const second = decide(req, acct, sym, NOW);
    expect(JSON.stringify({ req, acct, sym })).toBe(before);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});
