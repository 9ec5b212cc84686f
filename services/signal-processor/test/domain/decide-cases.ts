import type { NormalizedIngestRequest } from '@utm/contracts';
import { decide } from '../../src/domain/decide';
import type { AccountSnapshot, SymbolSnapshot } from '../../src/domain/types';
import { account, expectAccepted, expectRejected, holding, NOW, symbol, view, type DraftView } from './helpers';

/** Table-driven runners and fixtures shared by the decide() test files. */
export interface RejectCase {
  name: string;
  req: NormalizedIngestRequest;
  acct?: AccountSnapshot;
  sym?: SymbolSnapshot;
  code: string;
  message: string;
}

export interface AcceptCase {
  name: string;
  req: NormalizedIngestRequest;
  acct?: AccountSnapshot;
  sym?: SymbolSnapshot;
  orders: DraftView[];
  cancel?: string[];
  notes?: string[];
}

export function runRejections(cases: RejectCase[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = expectRejected(decide(c.req, c.acct ?? account(), c.sym ?? symbol(), NOW));
    expect({ code: r.code, message: r.message }).toEqual({ code: c.code, message: c.message });
  });
}

export function runAcceptances(cases: AcceptCase[]): void {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const a = expectAccepted(decide(c.req, c.acct ?? account(), c.sym ?? symbol(), NOW));
    expect(a.orders.map(view)).toEqual(c.orders);
    expect(a.cancelOrderIds).toEqual(c.cancel ?? []);
    expect(a.notes).toEqual(c.notes ?? []);
  });
}

export const LONG_10 = holding(10);
export const SHORT_10 = holding(-10);
export const HALTED = account({ tradingState: 'HALTED' });
export const REDUCE_ONLY = account({ tradingState: 'REDUCE_ONLY' });
export const HALTED_MESSAGE = 'Account is halted: no signal is acted on until it is resumed';
export const NO_PRICE_MESSAGE = 'No price to size AAPL with: no quote, no limit or stop price, no price in the signal';
