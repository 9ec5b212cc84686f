import type { ExitRules, NormalizedIngestRequest } from '@utm/contracts';
import { decide } from '../../src/domain/decide';
import { buyingPowerOf } from '../../src/domain/risk';
import type { AccountSnapshot, SymbolSnapshot } from '../../src/domain/types';
import { account, D, expectAccepted, expectRejected, fractional, holding, market, request, symbol, view, type DraftView } from './helpers';

interface RejectCase {
  name: string;
  req: NormalizedIngestRequest;
  acct?: AccountSnapshot;
  sym?: SymbolSnapshot;
  code: string;
  message: string;
}

interface AcceptCase {
  name: string;
  req: NormalizedIngestRequest;
  acct?: AccountSnapshot;
  sym?: SymbolSnapshot;
  orders: DraftView[];
  cancel?: string[];
  notes?: string[];
}

function runRejections(cases: RejectCase[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = expectRejected(decide(c.req, c.acct ?? account(), c.sym ?? symbol()));
    expect({ code: r.code, message: r.message }).toEqual({ code: c.code, message: c.message });
  });
}

function runAcceptances(cases: AcceptCase[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const a = expectAccepted(decide(c.req, c.acct ?? account(), c.sym ?? symbol()));
    expect(a.orders.map(view)).toEqual(c.orders);
    expect(a.cancelOrderIds).toEqual(c.cancel ?? []);
    expect(a.notes).toEqual(c.notes ?? []);
  });
}

const LONG_10 = holding(10);
const SHORT_10 = holding(-10);
const HALTED = account({ tradingState: 'HALTED' });
const REDUCE_ONLY = account({ tradingState: 'REDUCE_ONLY' });
const HALTED_MESSAGE = 'Account is halted: no signal is acted on until it is resumed';
const NO_PRICE_MESSAGE = 'No price to size AAPL with: no quote, no limit or stop price, no price in the signal';

describe('decide: trading state', () => {
  describe('HALTED refuses every action', () => {
    runRejections([
      { name: 'openLong', req: request('openLong', { quantity: 10 }), acct: HALTED, code: 'ACCOUNT_HALTED', message: HALTED_MESSAGE },
      { name: 'openShort', req: request('openShort', { quantity: 10 }), acct: HALTED, code: 'ACCOUNT_HALTED', message: HALTED_MESSAGE },
      { name: 'closeLong', req: request('closeLong'), acct: HALTED, sym: LONG_10, code: 'ACCOUNT_HALTED', message: HALTED_MESSAGE },
      { name: 'closeShort', req: request('closeShort'), acct: HALTED, sym: SHORT_10, code: 'ACCOUNT_HALTED', message: HALTED_MESSAGE },
      { name: 'reverseToLong', req: request('reverseToLong'), acct: HALTED, sym: SHORT_10, code: 'ACCOUNT_HALTED', message: HALTED_MESSAGE },
      { name: 'reverseToShort', req: request('reverseToShort'), acct: HALTED, sym: LONG_10, code: 'ACCOUNT_HALTED', message: HALTED_MESSAGE },
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
    const msg = (action: string) => `Account is reduce-only: ${action} would open a position; only closeLong and closeShort are accepted`;
    runRejections([
      { name: 'openLong', req: request('openLong', { quantity: 10 }), acct: REDUCE_ONLY, code: 'REDUCE_ONLY', message: msg('openLong') },
      { name: 'openShort', req: request('openShort', { quantity: 10 }), acct: REDUCE_ONLY, code: 'REDUCE_ONLY', message: msg('openShort') },
      { name: 'openLong adding to a long', req: request('openLong', { quantity: 10 }), acct: REDUCE_ONLY, sym: LONG_10, code: 'REDUCE_ONLY', message: msg('openLong') },
      { name: 'reverseToLong from a short', req: request('reverseToLong'), acct: REDUCE_ONLY, sym: SHORT_10, code: 'REDUCE_ONLY', message: msg('reverseToLong') },
      { name: 'reverseToShort from a long', req: request('reverseToShort'), acct: REDUCE_ONLY, sym: LONG_10, code: 'REDUCE_ONLY', message: msg('reverseToShort') },
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
      { name: 'closeLong', req: request('closeLong'), acct: REDUCE_ONLY, sym: LONG_10, orders: [market('CLOSE', 'SELL', '10', '150')] },
      { name: 'closeShort', req: request('closeShort'), acct: REDUCE_ONLY, sym: SHORT_10, orders: [market('CLOSE', 'BUY', '10', '150')] },
    ]);
  });

  it('REDUCE_ONLY still refuses a close with nothing to close', () => {
    const r = expectRejected(decide(request('closeLong'), REDUCE_ONLY, symbol()));
    expect(r.code).toBe('NO_POSITION');
  });
});

describe('decide: allowed symbols', () => {
  const restricted = account({ allowedSymbols: ['MSFT', 'TSLA'] });
  const message = "AAPL is not among the account's allowed symbols (MSFT, TSLA)";
  runRejections([
    { name: 'openLong of another symbol', req: request('openLong', { quantity: 10 }), acct: restricted, code: 'SYMBOL_NOT_ALLOWED', message },
    { name: 'openShort of another symbol', req: request('openShort', { quantity: 10 }), acct: restricted, code: 'SYMBOL_NOT_ALLOWED', message },
    { name: 'reverseToLong of another symbol (before the position rules)', req: request('reverseToLong'), acct: restricted, sym: SHORT_10, code: 'SYMBOL_NOT_ALLOWED', message },
  ]);
  runAcceptances([
    { name: 'closeLong of a symbol outside the list is still allowed', req: request('closeLong'), acct: restricted, sym: LONG_10, orders: [market('CLOSE', 'SELL', '10', '150')] },
    { name: 'closeShort of a symbol outside the list is still allowed', req: request('closeShort'), acct: restricted, sym: SHORT_10, orders: [market('CLOSE', 'BUY', '10', '150')] },
    {
      name: 'openLong of a listed symbol',
      req: request('openLong', { symbol: 'MSFT', quantity: 10 }),
      acct: restricted,
      sym: symbol({ symbol: 'MSFT', quote: D('400') }),
      orders: [market('ENTRY', 'BUY', '10', '400')],
    },
    { name: 'an empty list allows every symbol', req: request('openLong', { quantity: 10 }), acct: account({ allowedSymbols: [] }), orders: [market('ENTRY', 'BUY', '10', '150')] },
  ]);
});

describe('decide: position rules (against the projected position)', () => {
  runRejections([
    { name: 'openLong on a short → POSITION_CONFLICT', req: request('openLong', { quantity: 5 }), sym: SHORT_10, code: 'POSITION_CONFLICT', message: 'openLong on a short position of 10 AAPL: use reverseToLong' },
    { name: 'openShort on a long → POSITION_CONFLICT', req: request('openShort', { quantity: 5 }), sym: LONG_10, code: 'POSITION_CONFLICT', message: 'openShort on a long position of 10 AAPL: use reverseToShort' },
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
    { name: 'closeLong when flat → NO_POSITION', req: request('closeLong'), code: 'NO_POSITION', message: 'No long position in AAPL to close' },
    { name: 'closeLong on a short → NO_POSITION', req: request('closeLong'), sym: SHORT_10, code: 'NO_POSITION', message: 'No long position in AAPL to close' },
    { name: 'closeShort when flat → NO_POSITION', req: request('closeShort'), code: 'NO_POSITION', message: 'No short position in AAPL to close' },
    { name: 'closeShort on a long → NO_POSITION', req: request('closeShort'), sym: LONG_10, code: 'NO_POSITION', message: 'No short position in AAPL to close' },
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

describe('decide: price', () => {
  const unquoted = symbol({ quote: null });
  runRejections([
    { name: 'openLong MARKET with no quote and no price → NO_PRICE', req: request('openLong', { quantity: 10 }), sym: unquoted, code: 'NO_PRICE', message: NO_PRICE_MESSAGE },
    { name: 'openShort MARKET with no quote and no price → NO_PRICE', req: request('openShort', { quantity: 10 }), sym: unquoted, code: 'NO_PRICE', message: NO_PRICE_MESSAGE },
    { name: 'reverseToLong from a short with no quote and no price → NO_PRICE', req: request('reverseToLong'), sym: holding(-10, { quote: null }), code: 'NO_PRICE', message: NO_PRICE_MESSAGE },
    {
      name: 'closeLong DOLLAR_AMOUNT with no quote and no price → NO_PRICE',
      req: request('closeLong', { quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }),
      sym: holding(10, { quote: null }),
      code: 'NO_PRICE',
      message: NO_PRICE_MESSAGE,
    },
  ]);
  runAcceptances([
    { name: "no quote: sized at the signal's price", req: request('openLong', { quantity: 10, price: 149.07 }), sym: unquoted, orders: [market('ENTRY', 'BUY', '10', '149.07')] },
    { name: "a quote wins over the signal's price", req: request('openLong', { quantity: 10, price: 149.07 }), orders: [market('ENTRY', 'BUY', '10', '150')] },
    { name: 'a whole close needs no price (priceBasis null)', req: request('closeLong'), sym: holding(10, { quote: null }), orders: [market('CLOSE', 'SELL', '10', null)] },
    {
      name: 'LIMIT with no quote: sized at the limit price',
      req: request('openLong', { quantity: 10, orderType: 'LIMIT', limitPrice: 148.5 }),
      sym: unquoted,
      orders: [market('ENTRY', 'BUY', '10', '148.5', { type: 'LIMIT', limitPrice: '148.5' })],
    },
  ]);
});

describe('decide: sizing', () => {
  runRejections([
    { name: 'FIXED 0.5 in whole shares → ZERO_QUANTITY', req: request('openLong', { quantity: 0.5 }), code: 'ZERO_QUANTITY', message: '0.5 AAPL rounds down to 0 at a quantity step of 1' },
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
    { name: 'FIXED 10 (MARKET, DAY)', req: request('openLong', { quantity: 10 }), orders: [market('ENTRY', 'BUY', '10', '150')] },
    { name: 'FIXED 10.9 rounds down to 10', req: request('openLong', { quantity: 10.9 }), orders: [market('ENTRY', 'BUY', '10', '150')] },
    { name: 'DOLLAR_AMOUNT 1000 at 333.33 → 3', req: request('openLong', { quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }), sym: symbol({ quote: D('333.33') }), orders: [market('ENTRY', 'BUY', '3', '333.33')] },
    { name: 'PERCENT_EQUITY 10% of 100,000 at 150 → 66', req: request('openLong', { quantity: 10, quantityType: 'PERCENT_EQUITY' }), orders: [market('ENTRY', 'BUY', '66', '150')] },
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
    { name: 'openLong PERCENT_POSITION 50% of a long 10 adds 5', req: request('openLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }), sym: LONG_10, orders: [market('ENTRY', 'BUY', '5', '150')] },
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
      req: request('openShort', { quantity: 10000, quantityType: 'DOLLAR_AMOUNT', orderType: 'STOP_LIMIT', limitPrice: 250, stopPrice: 240 }),
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
      { name: 'FIXED 0.5', req: request('openLong', { quantity: 0.5 }), acct, sym: symbol({ instrument: fractional }), orders: [market('ENTRY', 'BUY', '0.5', '150')] },
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

describe('decide: exit rules', () => {
  const entry = (stop: number): ExitRules => ({ stopLoss: { type: 'PRICE', value: stop } });
  runRejections([
    {
      name: 'a PRICE stop above a long entry',
      req: request('openLong', { quantity: 10, exitRules: entry(155) }),
      code: 'INVALID_EXIT_RULE',
      message: 'Exit rules cannot hold at the entry price 150: stop loss of a long must be below the entry price 150 (got 155)',
    },
    {
      name: 'validated against the limit price, not the quote (stop 149 over a limit of 148)',
      req: request('openLong', { quantity: 10, orderType: 'LIMIT', limitPrice: 148, exitRules: entry(149) }),
      code: 'INVALID_EXIT_RULE',
      message: 'Exit rules cannot hold at the entry price 148: stop loss of a long must be below the entry price 148 (got 149)',
    },
    {
      name: 'a PRICE target above a short entry',
      req: request('openShort', { quantity: 10, exitRules: { takeProfit: { type: 'PRICE', value: 155 } } }),
      code: 'INVALID_EXIT_RULE',
      message: 'Exit rules cannot hold at the entry price 150: take profit of a short must be below the entry price 150 (got 155)',
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
      message: 'Exit rules cannot hold at the entry price 150: stop loss of a long must be below the entry price 150 (got 155)',
    },
  ]);

  const rules: ExitRules = { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 4 }, trailingStop: { type: 'AMOUNT', value: 1.5 } };
  runAcceptances([
    { name: 'valid rules ride on the ENTRY', req: request('openLong', { quantity: 10, exitRules: rules }), orders: [market('ENTRY', 'BUY', '10', '150', { exitRules: rules })] },
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
    { name: 'a notional exactly at the limit', req: request('openLong', { quantity: 100 }), acct: account({ maxOrderNotional: D('15000') }), orders: [market('ENTRY', 'BUY', '100', '150')] },
    {
      name: 'closes are not held to the notional limit',
      req: request('closeLong'),
      acct: account({ maxOrderNotional: D('1000') }),
      sym: holding(100),
      orders: [market('CLOSE', 'SELL', '100', '150')],
    },
    { name: 'a position exactly at the limit', req: request('openLong', { quantity: 10 }), acct: account({ maxPositionQuantity: D(100) }), sym: holding(90), orders: [market('ENTRY', 'BUY', '10', '150')] },
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
      acct: account({ cash: D('50000'), reservations: D('5000'), positions: [{ symbol: 'MSFT', quantity: D(-10), mark: D('1000.5') }] }),
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
    { name: 'exactly the cash', req: request('openLong', { quantity: 100 }), acct: account({ cash: D('15000') }), orders: [market('ENTRY', 'BUY', '100', '150')] },
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
    const a = expectAccepted(decide(request('reverseToLong'), acct, SHORT_10));
    expect(a.orders.map(view)).toEqual([market('CLOSE', 'BUY', '10', '150'), market('ENTRY', 'BUY', '10', '150')]);
  });

  it('credits a reverseToShort with the closed long (it would fail without the credit)', () => {
    const acct = account({ cash: D('500'), positions: [{ symbol: 'AAPL', quantity: D(10), mark: D(150) }] });
    expect(buyingPowerOf(acct).toFixed()).toBe('500'); // < 1,500 for the new short
    const a = expectAccepted(decide(request('reverseToShort'), acct, LONG_10));
    expect(a.orders.map(view)).toEqual([market('CLOSE', 'SELL', '10', '150'), market('ENTRY', 'SELL', '10', '150')]);
  });

  it('does not credit a reverse that closes nothing', () => {
    const r = expectRejected(decide(request('reverseToLong', { quantity: 10 }), account({ cash: D('1000') }), symbol()));
    expect(r.message).toBe('Insufficient buying power: needs 1,500.00, 1,000.00 available');
  });

  it('needs none for a close', () => {
    const a = expectAccepted(decide(request('closeShort'), account({ cash: D('-50000') }), SHORT_10));
    expect(a.orders.map(view)).toEqual([market('CLOSE', 'BUY', '10', '150')]);
  });
});

describe('decide: order drafts', () => {
  runAcceptances([
    { name: 'openLong MARKET FIXED', req: request('openLong', { quantity: 10 }), orders: [market('ENTRY', 'BUY', '10', '150')] },
    { name: 'openLong adds to a long', req: request('openLong', { quantity: 10 }), sym: LONG_10, orders: [market('ENTRY', 'BUY', '10', '150')] },
    { name: 'openShort adds to a short', req: request('openShort', { quantity: 10 }), sym: SHORT_10, orders: [market('ENTRY', 'SELL', '10', '150')] },
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
      req: request('openLong', { quantity: 10, orderType: 'STOP_LIMIT', limitPrice: 153.25, stopPrice: 152, timeInForce: 'FOK' }),
      orders: [market('ENTRY', 'BUY', '10', '153.25', { type: 'STOP_LIMIT', limitPrice: '153.25', stopPrice: '152', timeInForce: 'FOK' })],
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
    { name: 'closeLong without quantity closes the whole long', req: request('closeLong'), sym: LONG_10, orders: [market('CLOSE', 'SELL', '10', '150')] },
    { name: 'closeShort without quantity closes the whole short', req: request('closeShort'), sym: SHORT_10, orders: [market('CLOSE', 'BUY', '10', '150')] },
    {
      name: 'without quantity: the whole projected position (filled 10 + open entry 5)',
      req: request('closeLong'),
      sym: symbol({ filledQuantity: D(10), projectedQuantity: D(15) }),
      orders: [market('CLOSE', 'SELL', '15', '150')],
    },
    { name: 'closeLong FIXED 4 of 10', req: request('closeLong', { quantity: 4 }), sym: LONG_10, orders: [market('CLOSE', 'SELL', '4', '150')] },
    { name: 'closeLong FIXED 10 of 10 (no note)', req: request('closeLong', { quantity: 10 }), sym: LONG_10, orders: [market('CLOSE', 'SELL', '10', '150')] },
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
    { name: 'closeLong PERCENT_POSITION 50% of 10', req: request('closeLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }), sym: LONG_10, orders: [market('CLOSE', 'SELL', '5', '150')] },
    { name: 'closeLong PERCENT_POSITION 50% of 3 rounds down to 1', req: request('closeLong', { quantity: 50, quantityType: 'PERCENT_POSITION' }), sym: holding(3), orders: [market('CLOSE', 'SELL', '1', '150')] },
    { name: 'closeShort PERCENT_POSITION 100%', req: request('closeShort', { quantity: 100, quantityType: 'PERCENT_POSITION' }), sym: SHORT_10, orders: [market('CLOSE', 'BUY', '10', '150')] },
    { name: 'closeShort DOLLAR_AMOUNT 750 at 150', req: request('closeShort', { quantity: 750, quantityType: 'DOLLAR_AMOUNT' }), sym: SHORT_10, orders: [market('CLOSE', 'BUY', '5', '150')] },
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
      name: 'reverseToLong of the projected short (filled −10, projected −12)',
      req: request('reverseToLong'),
      sym: symbol({ filledQuantity: D(-10), projectedQuantity: D(-12) }),
      orders: [market('CLOSE', 'BUY', '12', '150'), market('ENTRY', 'BUY', '12', '150')],
    },
    { name: 'reverseToLong from flat with a quantity: only the ENTRY', req: request('reverseToLong', { quantity: 5 }), orders: [market('ENTRY', 'BUY', '5', '150')] },
    { name: 'reverseToLong from a long with a quantity: only the ENTRY (adds)', req: request('reverseToLong', { quantity: 5 }), sym: LONG_10, orders: [market('ENTRY', 'BUY', '5', '150')] },
    { name: 'reverseToShort from a short with a quantity: only the ENTRY (adds)', req: request('reverseToShort', { quantity: 5 }), sym: SHORT_10, orders: [market('ENTRY', 'SELL', '5', '150')] },
    {
      name: 'reverseToShort LIMIT: both legs are LIMIT at the limit price',
      req: request('reverseToShort', { orderType: 'LIMIT', limitPrice: 151 }),
      sym: LONG_10,
      orders: [market('CLOSE', 'SELL', '10', '151', { type: 'LIMIT', limitPrice: '151' }), market('ENTRY', 'SELL', '10', '151', { type: 'LIMIT', limitPrice: '151' })],
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
  ] as const)('%s of a position of %s cancels its exit legs and the entries on its side', (action, position, expected) => {
    const a = expectAccepted(decide(request(action), account(), withOrders(position)));
    expect(a.cancelOrderIds).toEqual(expected);
  });

  it.each([
    ['openLong', 10],
    ['openShort', -10],
    ['reverseToLong', 10], // nothing to close: it only opens
    ['reverseToShort', -10],
  ] as const)('%s on a position of %s cancels nothing', (action, position) => {
    const a = expectAccepted(decide(request(action, { quantity: 1 }), account(), withOrders(position)));
    expect(a.cancelOrderIds).toEqual([]);
  });

  it('a partial close also cancels the exit legs', () => {
    const a = expectAccepted(decide(request('closeLong', { quantity: 1 }), account(), withOrders(10)));
    expect(a.cancelOrderIds).toEqual(['sl-1', 'tp-1', 'trail-1', 'buy-1', 'buy-2']);
  });

  it('a close with no open orders cancels nothing', () => {
    expect(expectAccepted(decide(request('closeLong'), account(), LONG_10)).cancelOrderIds).toEqual([]);
  });
});

describe('decide: purity', () => {
  it('does not modify its inputs and decides the same twice', () => {
    const req = request('reverseToLong', { exitRules: { stopLoss: { type: 'PERCENT', value: 2 } } });
    const acct = account({ positions: [{ symbol: 'AAPL', quantity: D(-10), mark: D(150) }], reservations: D('100') });
    const sym = holding(-10, { openExitOrderIds: ['sl-1'], openEntryOrders: [{ id: 'sell-1', side: 'SELL' }] });
    const before = JSON.stringify({ req, acct, sym });
    const first = decide(req, acct, sym);
    const second = decide(req, acct, sym);
    expect(JSON.stringify({ req, acct, sym })).toBe(before);
    expect(JSON.stringify(second)).toBe(JSON.stringify(first));
  });
});
