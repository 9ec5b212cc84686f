import type { ModeValue } from './ingest-schema';
import type {
  OrderRole,
  OrderSide,
  OrderStatus,
  OrderType,
  SignalStatus,
  TimeInForce,
  TradingState,
} from './lifecycles';

/**
 * The JSON shapes the HTTP API reads back (docs/contract.md), for the API, `utm signal show`
 * and the web console alike: the views are declared here once, with the lifecycles' own
 * vocabulary, and the functions that build them from rows. Decimals are strings (never
 * floats), times ISO 8601, `error` only when there is one. Inputs are typed by shape, so that
 * database rows (Prisma's Decimal has toFixed) fit.
 */
export interface DecimalLike {
  toFixed(): string;
}

/** A decimal as the API writes it: plain notation, no exponent, no trailing zeros. */
export function dec(value: DecimalLike): string;
export function dec(value: DecimalLike | null): string | null;
export function dec(value: DecimalLike | null): string | null {
  return value === null ? null : value.toFixed();
}

export interface ErrorView {
  code: string;
  message: string;
}

function errorOf(row: { errorCode: string | null; errorMessage: string | null }): { error?: ErrorView } {
  return row.errorCode ? { error: { code: row.errorCode, message: row.errorMessage ?? row.errorCode } } : {};
}

export interface FillRow {
  quantity: DecimalLike;
  price: DecimalLike;
  at: Date;
}

export interface FillView {
  quantity: string;
  price: string;
  at: string;
}

export interface OrderView {
  orderId: string;
  signalId: string;
  role: OrderRole;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: string;
  limitPrice: string | null;
  stopPrice: string | null;
  timeInForce: TimeInForce;
  status: OrderStatus;
  filledQuantity: string;
  avgFillPrice: string | null;
  brokerOrderId: string | null;
  createdAt: string;
  updatedAt: string;
  fills?: FillView[];
  error?: ErrorView;
}

export interface OrderRow {
  id: string;
  signalId: string;
  role: OrderRole;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: DecimalLike;
  limitPrice: DecimalLike | null;
  stopPrice: DecimalLike | null;
  timeInForce: TimeInForce;
  status: OrderStatus;
  filledQuantity: DecimalLike;
  avgFillPrice: DecimalLike | null;
  brokerOrderId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  fills?: FillRow[];
}

export function orderView(o: OrderRow): OrderView {
  return {
    orderId: o.id,
    signalId: o.signalId,
    role: o.role,
    symbol: o.symbol,
    side: o.side,
    type: o.type,
    quantity: dec(o.quantity),
    limitPrice: dec(o.limitPrice),
    stopPrice: dec(o.stopPrice),
    timeInForce: o.timeInForce,
    status: o.status,
    filledQuantity: dec(o.filledQuantity),
    avgFillPrice: dec(o.avgFillPrice),
    brokerOrderId: o.brokerOrderId,
    createdAt: o.createdAt.toISOString(),
    updatedAt: o.updatedAt.toISOString(),
    ...(o.fills
      ? { fills: o.fills.map((f) => ({ quantity: dec(f.quantity), price: dec(f.price), at: f.at.toISOString() })) }
      : {}),
    ...errorOf(o),
  };
}

export interface SignalSummaryView {
  signalId: string;
  status: SignalStatus;
  accountId: string;
  symbol: string;
  action: string;
  /** What the action was applied as when decided (buy/sell/setPosition resolved; null until then). */
  appliedAction: string | null;
  request: unknown;
  receivedAt: string;
  updatedAt: string;
  error?: ErrorView;
}

/** An entry of a signal's log; its type is one of the lifecycles' EVENT_TYPES. */
export interface SignalEventView {
  at: string;
  type: string;
  message: string;
}

export interface SignalView extends SignalSummaryView {
  orders: OrderView[];
  events: SignalEventView[];
}

/** GET /api/v1/signals */
export interface SignalPage {
  signals: SignalSummaryView[];
  nextCursor: string | null;
}

/** GET /api/v1/orders */
export interface OrderPage {
  orders: OrderView[];
  nextCursor: string | null;
}

export interface SignalRow {
  id: string;
  status: SignalStatus;
  accountId: string;
  symbol: string;
  action: string;
  /** What the action was applied as when decided (buy/sell/setPosition resolved; null until then). */
  appliedAction: string | null;
  request: unknown;
  receivedAt: Date;
  updatedAt: Date;
  errorCode: string | null;
  errorMessage: string | null;
}

export function signalSummaryView(s: SignalRow): SignalSummaryView {
  return {
    signalId: s.id,
    status: s.status,
    accountId: s.accountId,
    symbol: s.symbol,
    action: s.action,
    appliedAction: s.appliedAction,
    request: s.request,
    receivedAt: s.receivedAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    ...errorOf(s),
  };
}

export function signalView(
  s: SignalRow & { orders: OrderRow[]; events: { at: Date; type: string; message: string }[] },
): SignalView {
  return {
    ...signalSummaryView(s),
    orders: s.orders.map(orderView),
    events: s.events.map((e) => ({ at: e.at.toISOString(), type: e.type, message: e.message })),
  };
}

export interface PositionView {
  symbol: string;
  quantity: string;
  avgPrice: string;
}

export function positionView(p: { symbol: string; quantity: DecimalLike; avgPrice: DecimalLike }): PositionView {
  return { symbol: p.symbol, quantity: dec(p.quantity), avgPrice: dec(p.avgPrice) };
}

/** GET /api/v1/accounts (each), and the head of GET /api/v1/accounts/:id: equity is cash + positions at their marks. */
export interface AccountSummaryView {
  accountId: string;
  name: string;
  mode: ModeValue;
  broker: string;
  cash: string;
  equity: string;
  tradingState: TradingState;
}

/** A position with its mark (the latest quote; null without one) and the exit orders protecting it. */
export interface PositionDetailView extends PositionView {
  markPrice: string | null;
  exitOrders: OrderView[];
}

/** A fill of one of the account's orders. */
export interface AccountFillView {
  orderId: string;
  signalId: string;
  symbol: string;
  side: OrderSide;
  role: OrderRole;
  quantity: string;
  price: string;
  at: string;
}

/** GET /api/v1/accounts/:id */
export interface AccountDetailView extends AccountSummaryView {
  positions: PositionDetailView[];
  openOrders: OrderView[];
  recentFills: AccountFillView[];
}
