import type { Action, ErrorCode, ExitRules, NormalizedIngestRequest, TradingState } from '@utm/contracts';
import type { Decimal, InstrumentRules } from '@utm/db';
import type { VenueKind } from '@utm/trading';

/**
 * The processor's domain: plain data in, a decision out. Nothing here does I/O; the
 * repositories build these snapshots from Postgres and write the decision back.
 */
export type { Side } from '@utm/trading';
import type { Side } from '@utm/trading';
export type { TradingState } from '@utm/contracts';

export interface Instrument {
  /** Quantities are rounded down to a multiple of this. */
  quantityStep: Decimal;
  /** Prices are rounded to a multiple of this; null: the default for the price (rounding.ts). */
  tickSize: Decimal | null;
  /** The venue whose rules apply ("alpaca"); absent: the paper engine, which takes the signal as it is. */
  venue?: string;
  /** What the venue says of the instrument (instrument_rules); null: not asked yet. */
  rules?: InstrumentRules | null;
}

export interface AccountSnapshot {
  cash: Decimal;
  tradingState: TradingState;
  allowFractional: boolean;
  /** The kind of venue (the account's broker): a spot exchange is long only, some exits it cannot hold. */
  venue: VenueKind;
  maxOrderNotional: Decimal | null;
  maxPositionQuantity: Decimal | null;
  /** Empty: every symbol. */
  allowedSymbols: string[];
  /** A signal decided more than this long after its sentAt is REJECTED STALE_SIGNAL (null: no limit). */
  maxSignalAgeSeconds: number | null;
  /** Every position of the account, signed, with its mark price (latest quote, else entry). */
  positions: { symbol: string; quantity: Decimal; mark: Decimal }[];
  /** Buying power held by open entry orders: remaining quantity × their price basis. */
  reservations: Decimal;
}

export interface SymbolSnapshot {
  symbol: string;
  /** The filled position, signed (negative: short). */
  filledQuantity: Decimal;
  /**
   * The position once the account's open entry and close orders on this symbol fill:
   * decisions are taken against it, so that signals apply in acceptance order whatever
   * the broker has done yet.
   */
  projectedQuantity: Decimal;
  /** Latest quote, if any. */
  quote: Decimal | null;
  /** Open stop-loss / take-profit / trailing legs of the position. */
  openExitOrderIds: string[];
  /** Open entry orders, with their side, e.g. a resting buy limit. */
  openEntryOrders: { id: string; side: Side }[];
  instrument: Instrument;
}

export interface OrderDraft {
  role: 'ENTRY' | 'CLOSE';
  side: Side;
  type: 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT';
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  timeInForce: 'DAY' | 'GTC' | 'IOC' | 'FOK';
  /** The price the order was sized and its buying power reserved at. */
  priceBasis: Decimal | null;
  /** Exit rules to attach when this entry fills. */
  exitRules: ExitRules | null;
}

export interface Rejection {
  kind: 'reject';
  code: ErrorCode;
  message: string;
  /** The action the signal was applied as, when the refusal came after that was settled. */
  appliedAction?: Action;
}

export interface Acceptance {
  kind: 'accept';
  orders: OrderDraft[];
  /** Orders to cancel first: the position's exit legs and, on close, entries on that side. */
  cancelOrderIds: string[];
  /** Human notes recorded as events (e.g. a close capped at the position). */
  notes: string[];
  /** The action the signal was applied as (buy/sell/setPosition resolved; the six as sent). */
  appliedAction?: Action;
}

export type Decision = Rejection | Acceptance;

export interface SignalInput {
  request: NormalizedIngestRequest;
}

export function reject(code: ErrorCode, message: string): Rejection {
  return { kind: 'reject', code, message };
}
