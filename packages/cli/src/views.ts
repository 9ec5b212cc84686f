import type { Decimal, Order, Signal, SignalEvent } from '@utm/db';

/**
 * JSON shapes of SPEC.md's read API ("Reading back"), shared by `signals list` and
 * `signal show`: decimals as strings, times as ISO 8601, `error` only when there is one.
 */
const dec = (d: Decimal | null): string | null => (d === null ? null : d.toFixed());

function errorOf(row: { errorCode: string | null; errorMessage: string | null }): { error?: { code: string; message: string } } {
  return row.errorCode ? { error: { code: row.errorCode, message: row.errorMessage ?? '' } } : {};
}

export interface SignalSummary {
  signalId: string;
  status: string;
  accountId: string;
  symbol: string;
  action: string;
  receivedAt: string;
  errorCode?: string;
}

export function signalSummary(s: Signal): SignalSummary {
  return {
    signalId: s.id,
    status: s.status,
    accountId: s.accountId,
    symbol: s.symbol,
    action: s.action,
    receivedAt: s.receivedAt.toISOString(),
    ...(s.errorCode ? { errorCode: s.errorCode } : {}),
  };
}

export function orderView(o: Order) {
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
    ...errorOf(o),
  };
}

export function signalView(s: Signal & { orders: Order[]; events: SignalEvent[] }) {
  return {
    signalId: s.id,
    status: s.status,
    accountId: s.accountId,
    symbol: s.symbol,
    action: s.action,
    request: s.request,
    receivedAt: s.receivedAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
    ...errorOf(s),
    orders: s.orders.map(orderView),
    events: s.events.map((e) => ({ at: e.at.toISOString(), type: e.type, message: e.message })),
  };
}

export function summaryLine(s: SignalSummary): string {
  return [s.receivedAt, s.signalId, s.status.padEnd(16), `${s.action} ${s.symbol}`.padEnd(24), `account ${s.accountId}`, s.errorCode ?? '']
    .join('  ')
    .trimEnd();
}

export function signalText(v: ReturnType<typeof signalView>): string {
  const lines = [
    `signal ${v.signalId}  ${v.status}`,
    `  ${v.action} ${v.symbol}  account ${v.accountId}  received ${v.receivedAt}  updated ${v.updatedAt}`,
  ];
  if (v.error) lines.push(`  error ${v.error.code}: ${v.error.message}`);
  lines.push(`  request ${JSON.stringify(v.request)}`);
  for (const o of v.orders) {
    const prices = [o.limitPrice && `limit ${o.limitPrice}`, o.stopPrice && `stop ${o.stopPrice}`].filter(Boolean).join(' ');
    const fill = o.avgFillPrice ? ` @ ${o.avgFillPrice}` : '';
    lines.push(
      `  order ${o.orderId} ${o.role} ${o.side} ${o.quantity} ${o.symbol} ${o.type}${prices ? ` ${prices}` : ''} ${o.timeInForce}` +
        `  ${o.status} ${o.filledQuantity}${fill}${o.error ? `  ${o.error.code}: ${o.error.message}` : ''}`,
    );
  }
  for (const e of v.events) lines.push(`  ${e.at}  ${e.type}  ${e.message}`);
  return lines.join('\n');
}
