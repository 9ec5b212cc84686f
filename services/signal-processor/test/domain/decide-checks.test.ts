/** decide(): the checks that refuse a signal — trading state, symbols, price, exit rules, limits, buying power. */
import type { ExitRules } from '@utm/contracts';
import { decide } from '../../src/domain/decide';
import { buyingPowerOf } from '@utm/trading';
import { account, D, expectAccepted, expectRejected, holding, market, NOW, request, symbol, view } from './helpers';
import {
  HALTED,
  HALTED_MESSAGE,
  LONG_10,
  NO_PRICE_MESSAGE,
  REDUCE_ONLY,
  SHORT_10,
  runAcceptances,
  runRejections,
} from './decide-cases';

describe('decide: trading state', () => {
  describe('HALTED refuses every action', () => {
    runRejections([
      {
        name: 'openLong',
        req: request('openLong', { quantity: 10 }),
        acct: HALTED,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
      {
        name: 'openShort',
        req: request('openShort', { quantity: 10 }),
        acct: HALTED,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
      {
        name: 'closeLong',
        req: request('closeLong'),
        acct: HALTED,
        sym: LONG_10,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
      {
        name: 'closeShort',
        req: request('closeShort'),
        acct: HALTED,
        sym: SHORT_10,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
      {
        name: 'reverseToLong',
        req: request('reverseToLong'),
        acct: HALTED,
        sym: SHORT_10,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
      {
        name: 'reverseToShort',
        req: request('reverseToShort'),
        acct: HALTED,
        sym: LONG_10,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
      {
        name: 'before any other check (disallowed symbol, conflicting position)',
        req: request('openLong', { quantity: 10 }),
        acct: account({ tradingState: 'HALTED', allowedSymbols: ['MSFT'] }),
        sym: SHORT_10,
        code: 'ACCOUNT_HALTED',
        message: HALTED_MESSAGE,
      },
    ]);
  });

  describe('REDUCE_ONLY refuses what could open a position', () => {
    const msg = (action: string) =>
      `Account is reduce-only: ${action} would open a position; only closeLong and closeShort are accepted`;
    runRejections([
      {
        name: 'openLong',
        req: request('openLong', { quantity: 10 }),
        acct: REDUCE_ONLY,
        code: 'REDUCE_ONLY',
        message: msg('openLong'),
      },
      {
        name: 'openShort',
        req: request('openShort', { quantity: 10 }),
        acct: REDUCE_ONLY,
        code: 'REDUCE_ONLY',
        message: msg('openShort'),
      },
      {
        name: 'openLong adding to a long',
        req: request('openLong', { quantity: 10 }),
        acct: REDUCE_ONLY,
        sym: LONG_10,
        code: 'REDUCE_ONLY',
        message: msg('openLong'),
      },
      {
        name: 'reverseToLong from a short',
        req: request('reverseToLong'),
        acct: REDUCE_ONLY,
        sym: SHORT_10,
        code: 'REDUCE_ONLY',
        message: msg('reverseToLong'),
      },
      {
        name: 'reverseToShort from a long',
        req: request('reverseToShort'),
        acct: REDUCE_ONLY,
        sym: LONG_10,
        code: 'REDUCE_ONLY',
        message: msg('reverseToShort'),
      },
      {
        name: 'before the allowed-symbols check',
        req: request('openLong', { quantity: 10 }),
        acct: account({ tradingState: 'REDUCE_ONLY', allowedSymbols: ['MSFT'] }),
        code: 'REDUCE_ONLY',
        message: msg('openLong'),
      },
    ]);
  });

  describe('REDUCE_ONLY accepts closes', () => {
    runAcceptances([
      {
        name: 'closeLong',
        req: request('closeLong'),
        acct: REDUCE_ONLY,
        sym: LONG_10,
        orders: [market('CLOSE', 'SELL', '10', '150')],
      },
      {
        name: 'closeShort',
        req: request('closeShort'),
        acct: REDUCE_ONLY,
        sym: SHORT_10,
        orders: [market('CLOSE', 'BUY', '10', '150')],
      },
    ]);
  });

  it('REDUCE_ONLY still refuses a close with nothing to close', () => {
    const r = expectRejected(decide(request('closeLong'), REDUCE_ONLY, symbol(), NOW));
    expect(r.code).toBe('NO_POSITION');
  });
});

describe('decide: allowed symbols', () => {
  const restricted = account({ allowedSymbols: ['MSFT', 'TSLA'] });
  const message = "AAPL is not among the account's allowed symbols (MSFT, TSLA)";
  runRejections([
    {
      name: 'openLong of another symbol',
      req: request('openLong', { quantity: 10 }),
      acct: restricted,
      code: 'SYMBOL_NOT_ALLOWED',
      message,
    },
    {
      name: 'openShort of another symbol',
      req: request('openShort', { quantity: 10 }),
      acct: restricted,
      code: 'SYMBOL_NOT_ALLOWED',
      message,
    },
    {
      name: 'reverseToLong of another symbol (before the position rules)',
      req: request('reverseToLong'),
      acct: restricted,
      sym: SHORT_10,
      code: 'SYMBOL_NOT_ALLOWED',
      message,
    },
  ]);
  runAcceptances([
    {
      name: 'closeLong of a symbol outside the list is still allowed',
      req: request('closeLong'),
      acct: restricted,
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '150')],
    },
    {
      name: 'closeShort of a symbol outside the list is still allowed',
      req: request('closeShort'),
      acct: restricted,
      sym: SHORT_10,
      orders: [market('CLOSE', 'BUY', '10', '150')],
    },
    {
      name: 'openLong of a listed symbol',
      req: request('openLong', { symbol: 'MSFT', quantity: 10 }),
      acct: restricted,
      sym: symbol({ symbol: 'MSFT', quote: D('400') }),
      orders: [market('ENTRY', 'BUY', '10', '400')],
    },
    {
      name: 'an empty list allows every symbol',
      req: request('openLong', { quantity: 10 }),
      acct: account({ allowedSymbols: [] }),
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
  ]);
});

describe('decide: price', () => {
  const unquoted = symbol({ quote: null });
  runRejections([
    {
      name: 'openLong MARKET with no quote and no price → NO_PRICE',
      req: request('openLong', { quantity: 10 }),
      sym: unquoted,
      code: 'NO_PRICE',
      message: NO_PRICE_MESSAGE,
    },
    {
      name: 'openShort MARKET with no quote and no price → NO_PRICE',
      req: request('openShort', { quantity: 10 }),
      sym: unquoted,
      code: 'NO_PRICE',
      message: NO_PRICE_MESSAGE,
    },
    {
      name: 'reverseToLong from a short with no quote and no price → NO_PRICE',
      req: request('reverseToLong'),
      sym: holding(-10, { quote: null }),
      code: 'NO_PRICE',
      message: NO_PRICE_MESSAGE,
    },
    {
      name: 'closeLong DOLLAR_AMOUNT with no quote and no price → NO_PRICE',
      req: request('closeLong', { quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }),
      sym: holding(10, { quote: null }),
      code: 'NO_PRICE',
      message: NO_PRICE_MESSAGE,
    },
  ]);
  runAcceptances([
    {
      name: "no quote: sized at the signal's price",
      req: request('openLong', { quantity: 10, price: 149.07 }),
      sym: unquoted,
      orders: [market('ENTRY', 'BUY', '10', '149.07')],
    },
    {
      name: "a quote wins over the signal's price",
      req: request('openLong', { quantity: 10, price: 149.07 }),
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'a whole close needs no price (priceBasis null)',
      req: request('closeLong'),
      sym: holding(10, { quote: null }),
      orders: [market('CLOSE', 'SELL', '10', null)],
    },
    {
      name: 'LIMIT with no quote: sized at the limit price',
      req: request('openLong', { quantity: 10, orderType: 'LIMIT', limitPrice: 148.5 }),
      sym: unquoted,
      orders: [market('ENTRY', 'BUY', '10', '148.5', { type: 'LIMIT', limitPrice: '148.5' })],
    },
  ]);
});

describe('decide: exit rules', () => {
  const entry = (stop: number): ExitRules => ({ stopLoss: { type: 'PRICE', value: stop } });
  runRejections([
    {
      name: 'a PRICE stop above a long entry',
      req: request('openLong', { quantity: 10, exitRules: entry(155) }),
      code: 'INVALID_EXIT_RULE',
      message:
        'Exit rules cannot hold at the entry price 150: stop loss of a long must be below the entry price 150 (got 155)',
    },
    {
      name: 'validated against the limit price, not the quote (stop 149 over a limit of 148)',
      req: request('openLong', { quantity: 10, orderType: 'LIMIT', limitPrice: 148, exitRules: entry(149) }),
      code: 'INVALID_EXIT_RULE',
      message:
        'Exit rules cannot hold at the entry price 148: stop loss of a long must be below the entry price 148 (got 149)',
    },
    {
      name: 'a PRICE target above a short entry',
      req: request('openShort', { quantity: 10, exitRules: { takeProfit: { type: 'PRICE', value: 155 } } }),
      code: 'INVALID_EXIT_RULE',
      message:
        'Exit rules cannot hold at the entry price 150: take profit of a short must be below the entry price 150 (got 155)',
    },
    {
      name: 'a trailing stop of 100% on a reverse',
      req: request('reverseToShort', { exitRules: { trailingStop: { type: 'PERCENT', value: 100 } } }),
      sym: LONG_10,
      code: 'INVALID_EXIT_RULE',
      message: 'Exit rules cannot hold at the entry price 150: trailing stop percent must be below 100',
    },
    {
      name: 'a stop that rounds to 0 at the default tick of 0.01 (above $1)',
      req: request('openLong', { quantity: 10, exitRules: entry(0.001) }),
      code: 'INVALID_EXIT_RULE',
      message: 'Exit rules cannot hold at the entry price 150: stop loss of a long at 0.001 is not a positive price',
    },
    {
      name: 'checked before the order notional limit',
      req: request('openLong', { quantity: 1000, exitRules: entry(155) }),
      acct: account({ maxOrderNotional: D('1000') }),
      code: 'INVALID_EXIT_RULE',
      message:
        'Exit rules cannot hold at the entry price 150: stop loss of a long must be below the entry price 150 (got 155)',
    },
  ]);

  const rules: ExitRules = {
    stopLoss: { type: 'PERCENT', value: 2 },
    takeProfit: { type: 'PERCENT', value: 4 },
    trailingStop: { type: 'AMOUNT', value: 1.5 },
  };
  runAcceptances([
    {
      name: 'valid rules ride on the ENTRY',
      req: request('openLong', { quantity: 10, exitRules: rules }),
      orders: [market('ENTRY', 'BUY', '10', '150', { exitRules: rules })],
    },
    {
      name: 'on a reverse, only the ENTRY carries them (not the CLOSE)',
      req: request('reverseToShort', { exitRules: rules }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '150'), market('ENTRY', 'SELL', '10', '150', { exitRules: rules })],
    },
    {
      name: 'a stop of 0.001 is fine with the instrument tick of 0.001',
      req: request('openLong', { quantity: 10, exitRules: entry(0.001) }),
      sym: symbol({ instrument: { quantityStep: D(1), tickSize: D('0.001') } }),
      orders: [market('ENTRY', 'BUY', '10', '150', { exitRules: entry(0.001) })],
    },
    {
      name: 'a stop of 0.0001 is fine below $1 (default tick 0.0001)',
      req: request('openLong', { quantity: 10, exitRules: entry(0.0001) }),
      sym: symbol({ quote: D('0.5') }),
      orders: [market('ENTRY', 'BUY', '10', '0.5', { exitRules: entry(0.0001) })],
    },
  ]);
});

describe('decide: order notional and position limits', () => {
  runRejections([
    {
      name: 'MAX_ORDER_NOTIONAL names both numbers',
      req: request('openLong', { quantity: 100 }),
      acct: account({ maxOrderNotional: D('10000') }),
      code: 'MAX_ORDER_NOTIONAL',
      message: "Order notional 15,000.00 exceeds the account's limit of 10,000.00",
    },
    {
      name: "MAX_ORDER_NOTIONAL on a reverse's entry",
      req: request('reverseToShort'),
      acct: account({ maxOrderNotional: D('1000') }),
      sym: LONG_10,
      code: 'MAX_ORDER_NOTIONAL',
      message: "Order notional 1,500.00 exceeds the account's limit of 1,000.00",
    },
    {
      name: 'MAX_POSITION counts the position added to',
      req: request('openLong', { quantity: 20 }),
      acct: account({ maxPositionQuantity: D(100) }),
      sym: holding(90),
      code: 'MAX_POSITION',
      message: "Position would be 110 AAPL; the account's limit is 100",
    },
    {
      name: 'MAX_POSITION on a short',
      req: request('openShort', { quantity: 20 }),
      acct: account({ maxPositionQuantity: D(100) }),
      sym: holding(-90),
      code: 'MAX_POSITION',
      message: "Position would be 110 AAPL; the account's limit is 100",
    },
    {
      name: 'MAX_POSITION on a reverse counts only the new side',
      req: request('reverseToShort', { quantity: 101 }),
      acct: account({ maxPositionQuantity: D(100) }),
      sym: holding(90),
      code: 'MAX_POSITION',
      message: "Position would be 101 AAPL; the account's limit is 100",
    },
    {
      name: 'MAX_POSITION on reverseToLong from a long (it adds)',
      req: request('reverseToLong', { quantity: 20 }),
      acct: account({ maxPositionQuantity: D(100) }),
      sym: holding(90),
      code: 'MAX_POSITION',
      message: "Position would be 110 AAPL; the account's limit is 100",
    },
    {
      name: 'MAX_ORDER_NOTIONAL before MAX_POSITION before buying power',
      req: request('openLong', { quantity: 1000 }),
      acct: account({ cash: D(0), maxOrderNotional: D('1000'), maxPositionQuantity: D(1) }),
      code: 'MAX_ORDER_NOTIONAL',
      message: "Order notional 150,000.00 exceeds the account's limit of 1,000.00",
    },
    {
      name: 'MAX_POSITION before buying power',
      req: request('openLong', { quantity: 1000 }),
      acct: account({ cash: D(0), maxPositionQuantity: D(1) }),
      code: 'MAX_POSITION',
      message: "Position would be 1000 AAPL; the account's limit is 1",
    },
  ]);
  runAcceptances([
    {
      name: 'a notional exactly at the limit',
      req: request('openLong', { quantity: 100 }),
      acct: account({ maxOrderNotional: D('15000') }),
      orders: [market('ENTRY', 'BUY', '100', '150')],
    },
    {
      name: 'closes are not held to the notional limit',
      req: request('closeLong'),
      acct: account({ maxOrderNotional: D('1000') }),
      sym: holding(100),
      orders: [market('CLOSE', 'SELL', '100', '150')],
    },
    {
      name: 'a position exactly at the limit',
      req: request('openLong', { quantity: 10 }),
      acct: account({ maxPositionQuantity: D(100) }),
      sym: holding(90),
      orders: [market('ENTRY', 'BUY', '10', '150')],
    },
    {
      name: 'a reverse to exactly the limit',
      req: request('reverseToShort', { quantity: 100 }),
      acct: account({ maxPositionQuantity: D(100) }),
      sym: holding(90),
      orders: [market('CLOSE', 'SELL', '90', '150'), market('ENTRY', 'SELL', '100', '150')],
    },
    {
      name: 'closes are not held to the position limit',
      req: request('closeShort'),
      acct: account({ maxPositionQuantity: D(5) }),
      sym: holding(-90),
      orders: [market('CLOSE', 'BUY', '90', '150')],
    },
  ]);
});

describe('decide: buying power', () => {
  runRejections([
    {
      name: 'cash 9,200 for 100 at 150',
      req: request('openLong', { quantity: 100 }),
      acct: account({ cash: D('9200') }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 15,000.00, 9,200.00 available',
    },
    {
      name: 'open entry reservations reduce it (20,000 − 10,800)',
      req: request('openLong', { quantity: 100 }),
      acct: account({ cash: D('20000'), reservations: D('10800') }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 15,000.00, 9,200.00 available',
    },
    {
      name: 'shorts reduce it twice their value (30,000 − 2 × 20 × 100)',
      req: request('openLong', { quantity: 200 }),
      acct: account({ cash: D('30000'), positions: [{ symbol: 'MSFT', quantity: D(-20), mark: D(100) }] }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 30,000.00, 26,000.00 available',
    },
    {
      name: 'reservations and shorts together (50,000 − 5,000 − 2 × 10 × 1,000.50)',
      req: request('openLong', { quantity: 200 }),
      acct: account({
        cash: D('50000'),
        reservations: D('5000'),
        positions: [{ symbol: 'MSFT', quantity: D(-10), mark: D('1000.5') }],
      }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 30,000.00, 24,990.00 available',
    },
    {
      name: 'a short opens against buying power like a long',
      req: request('openShort', { quantity: 100 }),
      acct: account({ cash: D('9200') }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 15,000.00, 9,200.00 available',
    },
    {
      name: 'negative buying power is shown as 0.00',
      req: request('openLong', { quantity: 100 }),
      acct: account({ cash: D('1000'), reservations: D('5000') }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 15,000.00, 0.00 available',
    },
    {
      name: 'one cent short',
      req: request('openLong', { quantity: 100 }),
      acct: account({ cash: D('14999.99') }),
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 15,000.00, 14,999.99 available',
    },
    {
      name: 'a reverse beyond the credit of the closed position (1,000 + 10 × 150 < 20 × 150)',
      req: request('reverseToLong', { quantity: 20 }),
      acct: account({ cash: D('4000'), positions: [{ symbol: 'AAPL', quantity: D(-10), mark: D(150) }] }),
      sym: SHORT_10,
      code: 'INSUFFICIENT_BUYING_POWER',
      message: 'Insufficient buying power: needs 3,000.00, 2,500.00 available',
    },
  ]);

  runAcceptances([
    {
      name: 'exactly the cash',
      req: request('openLong', { quantity: 100 }),
      acct: account({ cash: D('15000') }),
      orders: [market('ENTRY', 'BUY', '100', '150')],
    },
    {
      name: 'longs do not reduce it',
      req: request('openLong', { quantity: 100 }),
      acct: account({ cash: D('15000'), positions: [{ symbol: 'MSFT', quantity: D(100), mark: D(500) }] }),
      orders: [market('ENTRY', 'BUY', '100', '150')],
    },
  ]);

  it('credits a reverseToLong with the closed short (it would fail without the credit)', () => {
    const acct = account({ cash: D('4000'), positions: [{ symbol: 'AAPL', quantity: D(-10), mark: D(150) }] });
    expect(buyingPowerOf(acct).toFixed()).toBe('1000'); // < 1,500 for the new long
    const a = expectAccepted(decide(request('reverseToLong'), acct, SHORT_10, NOW));
    expect(a.orders.map(view)).toEqual([market('CLOSE', 'BUY', '10', '150'), market('ENTRY', 'BUY', '10', '150')]);
  });

  it('credits a reverseToShort with the closed long (it would fail without the credit)', () => {
    const acct = account({ cash: D('500'), positions: [{ symbol: 'AAPL', quantity: D(10), mark: D(150) }] });
    expect(buyingPowerOf(acct).toFixed()).toBe('500'); // < 1,500 for the new short
    const a = expectAccepted(decide(request('reverseToShort'), acct, LONG_10, NOW));
    expect(a.orders.map(view)).toEqual([market('CLOSE', 'SELL', '10', '150'), market('ENTRY', 'SELL', '10', '150')]);
  });

  it('does not credit a reverse that closes nothing', () => {
    const r = expectRejected(
      decide(request('reverseToLong', { quantity: 10 }), account({ cash: D('1000') }), symbol(), NOW),
    );
    expect(r.message).toBe('Insufficient buying power: needs 1,500.00, 1,000.00 available');
  });

  it('needs none for a close', () => {
    const a = expectAccepted(decide(request('closeShort'), account({ cash: D('-50000') }), SHORT_10, NOW));
    expect(a.orders.map(view)).toEqual([market('CLOSE', 'BUY', '10', '150')]);
  });
});
