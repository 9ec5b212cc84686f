import type { Decimal, Fill, Order, Position, Signal, SignalEvent } from '@utm/db';

/** The API's JSON shapes (SPEC.md "Reading back"). Decimals are strings, never floats. */

export function dec(value: Decimal): string;
export function dec(value: Decimal | null): string | null;
export function dec(value: Decimal | null): string | null {
  // toFixed() without digits never uses exponent notation and drops trailing zeros.
  return value === null ? null : value.toFixed();
}

export interface ErrorView {
  code: string;
  message: string;
}

function errorView(code: string | null, message: string | null): ErrorView | undefined {
  return code ? { code, message: message ?? code } : undefined;
}

export function orderView(o: Order & { fills?: Fill[] }) {
  const error = errorView(o.errorCode, o.errorMessage);
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
    ...(o.fills ? { fills: o.fills.map((f) => ({ quantity: dec(f.quantity), price: dec(f.price), at: f.at.toISOString() })) } : {}),
    ...(error ? { error } : {}),
  };
}

export function signalSummaryView(s: Signal) {
  const error = errorView(s.errorCode, s.errorMessage);
  return {
    signalId: s.id,
    status: s.status,
    accountId: s.accountId,
    symbol: s.symbol,
    action: s.action,
    request: s.request,
    receivedAt: s.receivedAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    ...(error ? { error } : {}),
  };
}

export function signalView(s: Signal & { orders: (Order & { fills?: Fill[] })[]; events: SignalEvent[] }) {
  return {
    ...signalSummaryView(s),
    orders: s.orders.map(orderView),
    events: s.events.map((e) => ({ at: e.at.toISOString(), type: e.type, message: e.message })),
  };
}

export function positionView(p: Position) {
  return { symbol: p.symbol, quantity: dec(p.quantity), avgPrice: dec(p.avgPrice) };
}
