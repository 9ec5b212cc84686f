import { isExitRole, type OrderRole, type OrderStatus, type OrderType } from '@utm/contracts';
import { Decimal, type InstrumentRules } from '@utm/db';
import { ALPACA_VENUE, FRACTIONAL_STEP, markPrice, reservationOf, WHOLE_SHARE, type VenueKind } from '@utm/trading';
import type { AccountSnapshot, OrderDraft, Side, SymbolSnapshot, TradingState } from './types';

/**
 * Everything the decisions about one account depend on, as read once at the start of its
 * transaction (under the account's lock) and then kept current in memory as decisions are
 * taken: new orders are added, orders asked to cancel stop counting. Positions and quotes do
 * not change inside the transaction (fills take the same lock).
 */
export interface AccountRow {
  id: string;
  /** Where its orders go: the paper engine, or an external venue (fills arrive asynchronously), whose rules they must fit. */
  broker: string;
  cash: Decimal;
  tradingState: TradingState;
  allowFractional: boolean;
  /** The kind of venue the account trades at (its broker): what it can carry out. */
  venue: VenueKind;
  /** ccxt accounts: the exchange (its instrument rules are kept under ccxt:<exchange>). */
  exchange?: string | null;
  maxOrderNotional: Decimal | null;
  maxPositionQuantity: Decimal | null;
  allowedSymbols: string[];
  maxSignalAgeSeconds: number | null;
}

export type OpenOrderRole = OrderRole;

/** An order still open (NEW … PARTIALLY_FILLED), in seq order. */
export interface OpenOrder {
  id: string;
  role: OpenOrderRole;
  side: Side;
  symbol: string;
  type: OrderType;
  status: OrderStatus;
  quantity: Decimal;
  filledQuantity: Decimal;
  priceBasis: Decimal | null;
  /** Asked to cancel (by a close or reverse): it no longer counts, though the venue may not have confirmed yet. */
  cancelRequested: boolean;
  /** When the row last changed (for an order at an external venue: about when it was accepted). */
  changedAt: Date;
}

export interface AccountState {
  account: AccountRow;
  positions: Map<string, { quantity: Decimal; avgPrice: Decimal }>;
  quotes: Map<string, Decimal>;
  /** What venues said of instruments (instrument_rules), by instrumentKey(venue, symbol). */
  instruments?: Map<string, InstrumentRules>;
  openOrders: OpenOrder[];
}

export const instrumentKey = (venue: string, symbol: string): string => `${venue} ${symbol}`;

/** The venue whose rules an account's orders follow (null: the paper engine's own). */
function venueOf(account: AccountRow): string | null {
  if (account.broker === 'ccxt' && account.exchange) return `ccxt:${account.exchange}`;
  return account.broker === ALPACA_VENUE ? ALPACA_VENUE : null;
}

/**
 * A CLOSE order only ever reduces a position toward zero (the executor caps it at what is
 * held when it is placed), so it never projects a position on the other side.
 */
function closeTowardZero(position: Decimal, side: Side, quantity: Decimal): Decimal {
  if (side === 'SELL' && position.gt(0)) return Decimal.max(0, position.minus(quantity));
  if (side === 'BUY' && position.lt(0)) return Decimal.min(0, position.plus(quantity));
  return position;
}

/**
 * The account and one symbol as a decision sees them. The projected position walks the
 * open entry and close orders in sequence from the filled position; buying power is held
 * by every open entry (remaining × the price it was sized at).
 */
export function snapshotsFor(
  state: AccountState,
  symbol: string,
): { account: AccountSnapshot; symbol: SymbolSnapshot } {
  const { account } = state;
  const filled = state.positions.get(symbol)?.quantity ?? new Decimal(0);
  let reservations = new Decimal(0);
  let projected = filled;
  const openExitOrderIds: string[] = [];
  const openEntryOrders: { id: string; side: Side }[] = [];
  for (const o of state.openOrders) {
    if (o.cancelRequested) continue;
    const remaining = o.quantity.minus(o.filledQuantity);
    if (o.role === 'ENTRY') reservations = reservations.plus(reservationOf(remaining, o.priceBasis));
    if (o.symbol !== symbol) continue;
    if (isExitRole(o.role)) {
      openExitOrderIds.push(o.id);
    } else if (o.role === 'ENTRY') {
      projected = projected.plus(o.side === 'BUY' ? remaining : remaining.neg());
      openEntryOrders.push({ id: o.id, side: o.side });
    } else {
      projected = closeTowardZero(projected, o.side, remaining);
    }
  }
  return {
    account: {
      cash: account.cash,
      tradingState: account.tradingState,
      allowFractional: account.allowFractional,
      venue: account.venue,
      maxOrderNotional: account.maxOrderNotional,
      maxPositionQuantity: account.maxPositionQuantity,
      allowedSymbols: account.allowedSymbols,
      maxSignalAgeSeconds: account.maxSignalAgeSeconds,
      positions: [...state.positions].map(([s, p]) => ({
        symbol: s,
        quantity: p.quantity,
        mark: markPrice(state.quotes.get(s), p.avgPrice),
      })),
      reservations,
    },
    symbol: {
      symbol,
      filledQuantity: filled,
      projectedQuantity: projected,
      quote: state.quotes.get(symbol) ?? null,
      openExitOrderIds,
      openEntryOrders,
      instrument: instrumentOf(state, symbol),
    },
  };
}

function instrumentOf(state: AccountState, symbol: string): SymbolSnapshot['instrument'] {
  const base = { quantityStep: state.account.allowFractional ? FRACTIONAL_STEP : WHOLE_SHARE, tickSize: null };
  const venue = venueOf(state.account);
  if (!venue) return base;
  return { ...base, venue, rules: state.instruments?.get(instrumentKey(venue, symbol)) ?? null };
}

/** Keeps the state current after a decision: its orders now count, cancelled ones no longer. */
export function applyToState(
  state: AccountState,
  symbol: string,
  orders: { id: string; draft: OrderDraft }[],
  cancelled: string[],
): void {
  const gone = new Set(cancelled);
  for (const o of state.openOrders) if (gone.has(o.id)) o.cancelRequested = true;
  for (const { id, draft } of orders) {
    state.openOrders.push({
      id,
      role: draft.role,
      side: draft.side,
      symbol,
      type: draft.type,
      status: 'NEW',
      quantity: draft.quantity,
      filledQuantity: new Decimal(0),
      priceBasis: draft.priceBasis,
      cancelRequested: false,
      changedAt: new Date(0),
    });
  }
}
