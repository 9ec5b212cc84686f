import {
  ACTIONS,
  ERROR_CODES,
  ORDER_TYPES,
  QUANTITY_TYPES,
  TIMES_IN_FORCE,
  type Action,
  type ExitRule,
  type ExitRules,
  type IngestOrderType,
  type NormalizedIngestRequest,
  type QuantityType,
  type TrailingStopRule,
} from '@utm/contracts';
import type { Decimal } from '@utm/db';
import fc from 'fast-check';
import { decide } from '../../src/domain/decide';
import { buyingPowerOf, defaultTickSize, exitPrices, floorToStep, FRACTIONAL_STEP, WHOLE_SHARE } from '@utm/trading';
import { sizeQuantity } from '../../src/domain/sizing';
import type { AccountSnapshot, Side, SymbolSnapshot, TradingState } from '../../src/domain/types';
import { D, NOW } from './helpers';

const NUM_RUNS = 1000;
const SYMBOLS = ['AAPL', 'MSFT', 'TSLA', 'SPY'] as const;

// ---- Decimals from integers (no binary noise) -------------------------------------------

/** Money with cents, from an integer number of cents. */
const money = (maxCents: number): fc.Arbitrary<Decimal> =>
  fc.integer({ min: 0, max: maxCents }).map((c) => D(c).div(100));
/** A price in 0.0001 .. 10,000.0000, from an integer number of 1/10,000ths. */
const price: fc.Arbitrary<Decimal> = fc.integer({ min: 1, max: 100_000_000 }).map((n) => D(n).div(10_000));
/** Mostly `null`, sometimes a value: account limits are the exception. */
const rarely = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> =>
  fc.oneof({ arbitrary: fc.constant(null), weight: 3 }, { arbitrary: arb, weight: 1 });
/** The same as a JSON number (request fields are numbers by contract). */
const priceNumber: fc.Arbitrary<number> = fc.integer({ min: 1, max: 100_000_000 }).map((n) => n / 10_000);

// ---- Request fields that arrive as JSON numbers: any double the schema lets through ----

const positiveDouble = (max: number): fc.Arbitrary<number> =>
  fc.double({ min: 0, max, minExcluded: true, noNaN: true });
const quantityFor = (type: QuantityType): fc.Arbitrary<number> => {
  switch (type) {
    case 'FIXED':
      return fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 500 }), weight: 4 },
        { arbitrary: positiveDouble(5_000), weight: 1 },
      );
    case 'DOLLAR_AMOUNT':
      return fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 1_000_000 }), weight: 4 },
        { arbitrary: positiveDouble(1e9), weight: 1 },
      );
    case 'PERCENT_EQUITY':
    case 'PERCENT_POSITION':
      return fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 100 }), weight: 4 },
        { arbitrary: positiveDouble(100), weight: 1 },
      );
  }
};

/** Exit-rule values: integers and doubles down to 1e-9 (tiny trails have their own tests). */
const ruleValue: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 1, max: 200 }),
  fc.double({ min: 1e-9, max: 20_000, noNaN: true }),
);
const exitRule: fc.Arbitrary<ExitRule> = fc.record({
  type: fc.constantFrom<ExitRule['type']>('PERCENT', 'PRICE', 'AMOUNT'),
  value: ruleValue,
});
const trailingRule: fc.Arbitrary<TrailingStopRule> = fc.record({
  type: fc.constantFrom<TrailingStopRule['type']>('PERCENT', 'AMOUNT'),
  value: ruleValue,
});
const exitRules: fc.Arbitrary<ExitRules> = fc
  .record({
    stopLoss: fc.option(exitRule, { nil: undefined }),
    takeProfit: fc.option(exitRule, { nil: undefined }),
    trailingStop: fc.option(trailingRule, { nil: undefined }),
  })
  .map((r) => {
    const out: ExitRules = {};
    if (r.stopLoss) out.stopLoss = r.stopLoss;
    if (r.takeProfit) out.takeProfit = r.takeProfit;
    if (r.trailingStop) out.trailingStop = r.trailingStop;
    return out;
  })
  .filter((r) => Object.keys(r).length > 0); // minProperties: 1

/** A request the ingest schema would accept (with its defaults filled in). */
const requestArb: fc.Arbitrary<NormalizedIngestRequest> = fc
  .record({
    symbol: fc.constantFrom(...SYMBOLS),
    action: fc.constantFrom<Action>(...ACTIONS),
    quantityType: fc.constantFrom<QuantityType>(...QUANTITY_TYPES),
    orderType: fc.constantFrom<IngestOrderType>(...ORDER_TYPES),
    timeInForce: fc.constantFrom(...TIMES_IN_FORCE),
    limitPrice: priceNumber,
    stopPrice: priceNumber,
    price: fc.option(priceNumber, { nil: undefined }),
    omitQuantity: fc.boolean(),
    exitRules: fc.option(exitRules, { nil: undefined }),
  })
  .chain((r) => quantityFor(r.quantityType).map((quantity) => ({ ...r, quantity })))
  .map((r) => {
    const req: NormalizedIngestRequest = {
      symbol: r.symbol,
      action: r.action,
      accountId: 'acc-1',
      quantityType: r.quantityType,
      orderType: r.orderType,
      timeInForce: r.timeInForce,
    };
    const opens = r.action === 'openLong' || r.action === 'openShort';
    const closes = r.action === 'closeLong' || r.action === 'closeShort';
    if (opens || !r.omitQuantity) req.quantity = r.quantity; // required for open*, optional otherwise
    if (r.orderType === 'LIMIT' || r.orderType === 'STOP_LIMIT') req.limitPrice = r.limitPrice;
    if (r.orderType === 'STOP' || r.orderType === 'STOP_LIMIT') req.stopPrice = r.stopPrice;
    if (r.price !== undefined) req.price = r.price;
    if (!closes && r.exitRules) req.exitRules = r.exitRules; // exit rules only with open*/reverse*
    return req;
  });

const accountArb: fc.Arbitrary<AccountSnapshot> = fc.record({
  cash: money(1_000_000_000), // 0 .. 10,000,000.00
  tradingState: fc.oneof(
    { arbitrary: fc.constant<TradingState>('ACTIVE'), weight: 8 },
    { arbitrary: fc.constant<TradingState>('REDUCE_ONLY'), weight: 1 },
    { arbitrary: fc.constant<TradingState>('HALTED'), weight: 1 },
  ),
  allowFractional: fc.boolean(),
  venue: fc.constant('paper' as const),
  maxOrderNotional: rarely(money(100_000_000)),
  maxPositionQuantity: rarely(fc.integer({ min: 1, max: 10_000 }).map((n) => D(n))),
  allowedSymbols: fc.oneof(
    { arbitrary: fc.constant<string[]>([]), weight: 4 },
    { arbitrary: fc.subarray<string>([...SYMBOLS], { minLength: 1 }), weight: 1 },
  ),
  maxSignalAgeSeconds: fc.constant(null),
  positions: fc.uniqueArray(
    fc.record({
      symbol: fc.constantFrom(...SYMBOLS),
      quantity: fc
        .integer({ min: -2_000, max: 2_000 })
        .filter((n) => n !== 0)
        .map((n) => D(n)),
      mark: price,
    }),
    { maxLength: 4, selector: (p) => p.symbol },
  ),
  reservations: money(100_000_000),
});

interface Scenario {
  req: NormalizedIngestRequest;
  account: AccountSnapshot;
  sym: SymbolSnapshot;
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    req: requestArb,
    account: accountArb,
    fractionalStep: fc.boolean(),
    /** The projected position in steps: often flat, else long or short. */
    projectedSteps: fc.oneof(
      { arbitrary: fc.constant(0), weight: 2 },
      { arbitrary: fc.integer({ min: -500, max: 500 }), weight: 3 },
      { arbitrary: fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), weight: 1 },
    ),
    filledOffset: fc.integer({ min: -100, max: 100 }),
    quote: fc.option(price, { nil: null }),
    exits: fc.subarray(['sl-1', 'tp-1', 'trail-1']),
    entries: fc.array(
      fc.record({ id: fc.nat().map((n) => `entry-${n}`), side: fc.constantFrom<Side>('BUY', 'SELL') }),
      { maxLength: 3 },
    ),
    tickSize: fc.option(fc.constantFrom('0.01', '0.0001', '0.05'), { nil: null }),
  })
  .map((s) => {
    const step = s.fractionalStep ? FRACTIONAL_STEP : WHOLE_SHARE;
    const projected = D(s.projectedSteps).times(step);
    return {
      req: s.req,
      account: { ...s.account, allowFractional: s.fractionalStep },
      sym: {
        symbol: s.req.symbol,
        filledQuantity: projected.plus(s.filledOffset),
        projectedQuantity: projected,
        quote: s.quote,
        openExitOrderIds: s.exits,
        openEntryOrders: s.entries,
        instrument: { quantityStep: step, tickSize: s.tickSize === null ? null : D(s.tickSize) },
      },
    };
  });

/**
 * What every decision must satisfy, whatever the inputs. Returns the decision's outcome,
 * for the statistics check below.
 */
function checkInvariants({ req, account, sym }: Scenario): string {
  const decision = decide(req, account, sym, NOW);

  if (decision.kind === 'reject') {
    // A rejection always has a known code and a non-empty sentence.
    expect(Object.keys(ERROR_CODES)).toContain(decision.code);
    expect(decision.message.trim().length).toBeGreaterThan(0);
    return decision.code;
  }

  const step = sym.instrument.quantityStep;
  const entries = decision.orders.filter((o) => o.role === 'ENTRY');
  const closes = decision.orders.filter((o) => o.role === 'CLOSE');
  expect(entries.length).toBeLessThanOrEqual(1);
  expect(closes.length).toBeLessThanOrEqual(1);
  expect(decision.orders.length).toBeGreaterThan(0);

  // No negative (or zero) quantities anywhere.
  for (const o of decision.orders) expect(o.quantity.gt(0)).toBe(true);

  // Trading state and symbol list: nothing opens when it may not.
  expect(account.tradingState).not.toBe('HALTED');
  if (
    account.tradingState === 'REDUCE_ONLY' ||
    (account.allowedSymbols.length > 0 && !account.allowedSymbols.includes(req.symbol))
  ) {
    expect(entries).toHaveLength(0);
  }

  const close = closes[0];
  if (close) {
    // A close never exceeds the projected position, and goes against it.
    expect(close.quantity.lte(sym.projectedQuantity.abs())).toBe(true);
    expect(close.side).toBe(sym.projectedQuantity.gt(0) ? 'SELL' : 'BUY');
    expect(close.exitRules).toBeNull();
  } else {
    expect(decision.cancelOrderIds).toEqual([]);
  }

  const entry = entries[0];
  if (entry) {
    // Sized in whole steps.
    expect(entry.quantity.mod(step).isZero()).toBe(true);
    // Sized at a known price, never beyond buying power (plus what a reverse's close frees).
    expect(entry.priceBasis).not.toBeNull();
    const basis = entry.priceBasis ?? D(0);
    const notional = entry.quantity.times(basis);
    const available = buyingPowerOf(account).plus(close ? close.quantity.times(basis) : 0);
    expect(notional.lte(available)).toBe(true);
    // Account limits hold.
    if (account.maxOrderNotional) expect(notional.lte(account.maxOrderNotional)).toBe(true);
    if (account.maxPositionQuantity) {
      const base = close ? D(0) : sym.projectedQuantity;
      const after = base.plus(entry.side === 'BUY' ? entry.quantity : entry.quantity.neg());
      expect(after.abs().lte(account.maxPositionQuantity)).toBe(true);
    }
    expect(entry.exitRules).toEqual(req.exitRules ?? null);
  }
  return `accept ${decision.orders.map((o) => o.role).join('+')}`;
}

/**
 * Requests that get past the state, symbol and position checks most of the time, so that
 * sizing, exit rules, limits and buying power are exercised on many entries.
 */
const OPENING: Action[] = ['openLong', 'openShort', 'reverseToLong', 'reverseToShort'];
const entryScenarioArb: fc.Arbitrary<Scenario> = fc
  .tuple(scenarioArb, fc.constantFrom(...OPENING), fc.integer({ min: 1, max: 500 }), fc.boolean())
  .map(([s, action, size, keepExitRules]) => {
    const step = s.sym.instrument.quantityStep;
    // Whole units half of the time, else a number of (possibly tiny) steps: multiples of the step either way.
    const abs = D(size).times(size % 2 === 0 ? 1 : step);
    // openLong on flat or long, openShort on flat or short, reverse* from the opposite side.
    const projected = action === 'openLong' || action === 'reverseToShort' ? abs : abs.neg();
    const req: NormalizedIngestRequest = { ...s.req, action };
    if ((action === 'openLong' || action === 'openShort') && req.quantity === undefined) req.quantity = size;
    if (!keepExitRules) delete req.exitRules;
    return {
      req,
      account: { ...s.account, tradingState: 'ACTIVE' as const, allowedSymbols: [] },
      sym: { ...s.sym, projectedQuantity: projected, filledQuantity: projected },
    };
  });

describe('decide: properties over random accounts, symbols and requests', () => {
  it('never throws, and every decision keeps the invariants', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => void checkInvariants(s)),
      { numRuns: NUM_RUNS },
    );
  });

  it('keeps the invariants on requests that mostly reach sizing and risk checks', () => {
    fc.assert(
      fc.property(entryScenarioArb, (s) => void checkInvariants(s)),
      { numRuns: NUM_RUNS },
    );
  });

  it('the entry-focused scenarios do produce entries (the properties are not vacuous)', () => {
    const outcomes = fc.sample(entryScenarioArb, { numRuns: 1000, seed: 42 }).map(checkInvariants);
    const entries = outcomes.filter((o) => o.includes('ENTRY')).length;
    expect(entries).toBeGreaterThan(200);
  });

  it('a close of the whole position (no quantity) is exactly the projected size', () => {
    fc.assert(
      fc.property(scenarioArb, ({ req, account, sym }) => {
        const closing: NormalizedIngestRequest = {
          ...req,
          action: sym.projectedQuantity.gte(0) ? 'closeLong' : 'closeShort',
          exitRules: undefined,
        };
        delete closing.quantity;
        const decision = decide(closing, { ...account, tradingState: 'ACTIVE' }, sym, NOW);
        if (sym.projectedQuantity.isZero()) {
          expect(decision.kind === 'reject' && decision.code).toBe('NO_POSITION');
          return;
        }
        if (decision.kind !== 'accept') throw new Error(`${decision.code}: ${decision.message}`);
        expect(decision.orders).toHaveLength(1);
        expect(decision.orders[0]?.quantity.eq(sym.projectedQuantity.abs())).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('sizing and rounding: properties', () => {
  it('sizeQuantity never sizes above what was asked, and only in whole steps', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom<QuantityType>(...QUANTITY_TYPES)
          .chain((type) => fc.tuple(fc.constant(type), quantityFor(type))),
        fc.option(price, { nil: null }),
        money(1_000_000_000),
        fc.integer({ min: 0, max: 5_000 }).map((n) => D(n)),
        fc.constantFrom(WHOLE_SHARE, FRACTIONAL_STEP),
        ([quantityType, quantity], p, equity, positionSize, step) => {
          const sized = sizeQuantity({ quantity, quantityType, symbol: 'AAPL', price: p, equity, positionSize, step });
          if (sized.kind === 'reject') {
            expect(sized.message.length).toBeGreaterThan(0);
            return;
          }
          const q = sized.quantity;
          expect(q.gt(0)).toBe(true);
          expect(q.mod(step).isZero()).toBe(true);
          const asked = D(quantity);
          switch (quantityType) {
            case 'FIXED':
              expect(q.lte(asked)).toBe(true);
              expect(asked.minus(q).lt(step)).toBe(true);
              break;
            case 'DOLLAR_AMOUNT':
              expect(p && q.times(p).lte(asked)).toBe(true);
              break;
            case 'PERCENT_EQUITY':
              expect(p && q.times(p).lte(equity.times(asked).div(100))).toBe(true);
              break;
            case 'PERCENT_POSITION':
              expect(q.lte(positionSize)).toBe(true);
              break;
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });

  it('floorToStep: at most the quantity, less than one step below it, a multiple of the step', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 18n }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom('1', '0.000001', '0.01', '0.05', '2.5'),
        (digits, scale, stepText) => {
          const quantity = D(digits.toString()).div(D(10).pow(scale));
          const step = D(stepText);
          const floored = floorToStep(quantity, step);
          expect(floored.lte(quantity)).toBe(true);
          expect(quantity.minus(floored).lt(step)).toBe(true);
          expect(floored.mod(step).isZero()).toBe(true);
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('exitPrices: properties', () => {
  it('valid legs lie on the right side of the fill, on a tick, no tighter than asked', () => {
    fc.assert(
      fc.property(price, fc.constantFrom<Side>('BUY', 'SELL'), exitRules, (fill, side, rules) => {
        const tick = defaultTickSize(fill);
        const result = exitPrices(rules, side, fill, tick);
        if (!result.ok) {
          expect(result.message.length).toBeGreaterThan(0);
          return;
        }
        const { stopLoss, takeProfit, trailingStop } = result.prices;
        const long = side === 'BUY';
        expect(stopLoss === undefined).toBe(rules.stopLoss === undefined);
        expect(takeProfit === undefined).toBe(rules.takeProfit === undefined);
        expect(trailingStop === undefined).toBe(rules.trailingStop === undefined);
        for (const p of [stopLoss, takeProfit, trailingStop?.initialStop]) {
          if (p === undefined) continue;
          expect(p.gt(0)).toBe(true);
          expect(p.mod(tick).isZero()).toBe(true);
        }
        if (stopLoss) expect(long ? stopLoss.lt(fill) : stopLoss.gt(fill)).toBe(true);
        if (takeProfit) expect(long ? takeProfit.gt(fill) : takeProfit.lt(fill)).toBe(true);
        if (trailingStop)
          expect(long ? trailingStop.initialStop.lt(fill) : trailingStop.initialStop.gt(fill)).toBe(true);
        // Away from the money: a stop is never closer to the fill than its rule says.
        const rule = rules.stopLoss;
        if (stopLoss && rule && rule.type !== 'PRICE') {
          const v = D(rule.value);
          const offset = rule.type === 'PERCENT' ? fill.times(v).div(100) : v;
          expect(fill.minus(stopLoss).abs().gte(offset)).toBe(true);
        }
        const target = rules.takeProfit;
        if (takeProfit && target && target.type !== 'PRICE') {
          const v = D(target.value);
          const offset = target.type === 'PERCENT' ? fill.times(v).div(100) : v;
          expect(takeProfit.minus(fill).abs().gte(offset)).toBe(true);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
