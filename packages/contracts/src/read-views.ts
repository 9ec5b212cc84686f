/**
 * The JSON shapes the HTTP API reads back (docs/contract.md), for the API and `utm signal show` alike.
 * Decimals are strings (never floats), times ISO 8601, `error` only when there is one.
 * Inputs are typed by shape, so that database rows (Prisma's Decimal has toFixed) fit.
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

export interface OrderRow {
  id: string;
  signalId: string;
  role: string;
  symbol: string;
  side: string;
  type: string;
  quantity: DecimalLike;
  limitPrice: DecimalLike | null;
  stopPrice: DecimalLike | null;
  timeInForce: string;
  status: string;
  filledQuantity: DecimalLike;
  avgFillPrice: DecimalLike | null;
  brokerOrderId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  fills?: FillRow[];
}

export function orderView(o: OrderRow) {
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

export interface SignalRow {
  id: string;
  status: string;
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

export function signalSummaryView(s: SignalRow) {
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
) {
  return {
    ...signalSummaryView(s),
    orders: s.orders.map(orderView),
    events: s.events.map((e) => ({ at: e.at.toISOString(), type: e.type, message: e.message })),
  };
}

export type OrderView = ReturnType<typeof orderView>;
export type SignalView = ReturnType<typeof signalView>;

export function positionView(p: { symbol: string; quantity: DecimalLike; avgPrice: DecimalLike }) {
  return { symbol: p.symbol, quantity: dec(p.quantity), avgPrice: dec(p.avgPrice) };
}
