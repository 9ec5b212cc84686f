import type { NormalizedIngestRequest, SignalActionValue } from '@utm/contracts';
import { Decimal } from '@utm/db';
import type { Acceptance, AccountSnapshot, Decision, OrderDraft, Rejection, SymbolSnapshot } from '../../src/domain';
import { FRACTIONAL_STEP, WHOLE_SHARE } from '../../src/domain';

/** When the tests' decisions are taken. */
export const NOW = new Date('2026-12-02T14:00:00.000Z');

/** Decimals from strings (or integers): never from floats with binary noise. */
export const D = (value: string | number): Decimal => new Decimal(value);

/** A valid, normalized request: AAPL, MARKET, FIXED, DAY unless overridden. */
export function request(
  action: SignalActionValue,
  overrides: Partial<NormalizedIngestRequest> = {},
): NormalizedIngestRequest {
  return {
    symbol: 'AAPL',
    action,
    accountId: 'acc-1',
    quantityType: 'FIXED',
    orderType: 'MARKET',
    timeInForce: 'DAY',
    ...overrides,
  };
}

/** An ACTIVE account with 100,000.00 cash, no positions, no limits, no reservations. */
export function account(overrides: Partial<AccountSnapshot> = {}): AccountSnapshot {
  return {
    cash: D('100000'),
    tradingState: 'ACTIVE',
    allowFractional: false,
    venue: 'paper',
    maxOrderNotional: null,
    maxPositionQuantity: null,
    allowedSymbols: [],
    maxSignalAgeSeconds: null,
    positions: [],
    reservations: D(0),
    ...overrides,
  };
}

/** AAPL quoted at 150, flat, no open orders, whole shares, default tick. */
export function symbol(overrides: Partial<SymbolSnapshot> = {}): SymbolSnapshot {
  return {
    symbol: 'AAPL',
    filledQuantity: D(0),
    projectedQuantity: D(0),
    quote: D('150'),
    openExitOrderIds: [],
    openEntryOrders: [],
    instrument: { quantityStep: WHOLE_SHARE, tickSize: null },
    ...overrides,
  };
}

/** A symbol holding `position` (signed), filled and projected alike. */
export function holding(position: string | number, overrides: Partial<SymbolSnapshot> = {}): SymbolSnapshot {
  return symbol({ filledQuantity: D(position), projectedQuantity: D(position), ...overrides });
}

export const fractional = { quantityStep: FRACTIONAL_STEP, tickSize: null };

/** An order draft with decimals as strings, for exact, readable comparisons. */
export interface DraftView {
  role: OrderDraft['role'];
  side: OrderDraft['side'];
  type: OrderDraft['type'];
  quantity: string;
  limitPrice: string | null;
  stopPrice: string | null;
  timeInForce: OrderDraft['timeInForce'];
  priceBasis: string | null;
  exitRules: OrderDraft['exitRules'];
}

const str = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());

export function view(o: OrderDraft): DraftView {
  return {
    role: o.role,
    side: o.side,
    type: o.type,
    quantity: o.quantity.toFixed(),
    limitPrice: str(o.limitPrice),
    stopPrice: str(o.stopPrice),
    timeInForce: o.timeInForce,
    priceBasis: str(o.priceBasis),
    exitRules: o.exitRules,
  };
}

/** A MARKET/DAY draft without limit, stop or exit rules, for brevity in tables. */
export function market(
  role: OrderDraft['role'],
  side: OrderDraft['side'],
  quantity: string,
  priceBasis: string | null,
  extra: Partial<DraftView> = {},
): DraftView {
  return {
    role,
    side,
    type: 'MARKET',
    quantity,
    limitPrice: null,
    stopPrice: null,
    timeInForce: 'DAY',
    priceBasis,
    exitRules: null,
    ...extra,
  };
}

export function expectAccepted(decision: Decision): Acceptance {
  if (decision.kind !== 'accept') throw new Error(`expected an acceptance, got ${decision.code}: ${decision.message}`);
  return decision;
}

export function expectRejected(decision: Decision | { kind: 'sized'; quantity: Decimal }): Rejection {
  if (decision.kind !== 'reject') throw new Error(`expected a rejection, got ${JSON.stringify(decision)}`);
  return decision;
}
