import { Decimal } from '@utm/db';
import type { ExitLeg, ExitLegDraft, LegAmendment, LegRole } from '../../src/domain/exit-legs';
import type { ExecOrder } from '../../src/domain/order';

/** Decimals from strings (or integers): never from floats with binary noise. */
export const D = (value: string | number): Decimal => new Decimal(value);

/** A working leg of 10, nothing filled, no prices, unless overridden. */
export function leg(id: string, role: LegRole, overrides: Partial<ExitLeg> = {}): ExitLeg {
  return {
    id,
    role,
    status: 'ACCEPTED',
    quantity: D(10),
    filledQuantity: D(0),
    limitPrice: null,
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    trailReference: null,
    ...overrides,
  };
}

type Plain = Record<string, string | null>;

function plain(obj: object): Plain {
  const out: Plain = {};
  for (const [k, v] of Object.entries(obj)) {
    out[k] = v instanceof Decimal ? v.toFixed() : v === null ? null : String(v);
  }
  return out;
}

/** A draft with decimals as strings, so that tables compare by value. */
export const showDraft = (d: ExitLegDraft): Plain => plain(d);
export const showAmendment = (a: LegAmendment): Plain => plain(a);

/** An order row: a NEW market ENTRY BUY 10 XYZ GTC of account A, signal s-1, unless overridden. */
export function execOrder(overrides: Partial<ExecOrder> = {}): ExecOrder {
  return {
    id: 'o-1',
    seq: 1n,
    signalId: 's-1',
    accountId: 'A',
    parentOrderId: null,
    ocoGroup: null,
    role: 'ENTRY',
    symbol: 'XYZ',
    side: 'BUY',
    type: 'MARKET',
    quantity: D(10),
    limitPrice: null,
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    trailReference: null,
    timeInForce: 'GTC',
    status: 'NEW',
    filledQuantity: D(0),
    avgFillPrice: null,
    priceBasis: D(100),
    exitRules: null,
    brokerOrderId: null,
    carriedBy: null,
    replaces: null,
    replaceMethod: null,
    cancelRequestedAt: null,
    cancelSentAt: null,
    expiresAt: null,
    triggeredAt: null,
    errorCode: null,
    errorMessage: null,
    ...overrides,
  };
}
