import { signalView, type SignalView } from '@utm/contracts';
import type { Signal } from '@utm/db';

/**
 * `signal show` prints the API's read shape (signalView, shared with the HTTP API);
 * `signals list` a compact summary per signal. Human renderings of both below.
 */
export { signalView };

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

export function summaryLine(s: SignalSummary): string {
  return [
    s.receivedAt,
    s.signalId,
    s.status.padEnd(16),
    `${s.action} ${s.symbol}`.padEnd(24),
    `account ${s.accountId}`,
    s.errorCode ?? '',
  ]
    .join('  ')
    .trimEnd();
}

export function signalText(v: SignalView): string {
  const lines = [
    `signal ${v.signalId}  ${v.status}`,
    `  ${v.action} ${v.symbol}  account ${v.accountId}  received ${v.receivedAt}  updated ${v.updatedAt}`,
  ];
  if (v.error) lines.push(`  error ${v.error.code}: ${v.error.message}`);
  lines.push(`  request ${JSON.stringify(v.request)}`);
  for (const o of v.orders) {
    const prices = [o.limitPrice && `limit ${o.limitPrice}`, o.stopPrice && `stop ${o.stopPrice}`]
      .filter(Boolean)
      .join(' ');
    const fill = o.avgFillPrice ? ` @ ${o.avgFillPrice}` : '';
    lines.push(
      `  order ${o.orderId} ${o.role} ${o.side} ${o.quantity} ${o.symbol} ${o.type}${prices ? ` ${prices}` : ''} ${o.timeInForce}` +
        `  ${o.status} ${o.filledQuantity}${fill}${o.error ? `  ${o.error.code}: ${o.error.message}` : ''}`,
    );
  }
  for (const e of v.events) lines.push(`  ${e.at}  ${e.type}  ${e.message}`);
  return lines.join('\n');
}
