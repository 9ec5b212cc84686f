import type { Order } from './api';
import { StatusBadge } from './components';
import { formatDecimal, formatTimestamp } from './format';

const ROLE_WORDS: Record<string, string> = {
  ENTRY: 'Entry',
  CLOSE: 'Close',
  STOP_LOSS: 'Stop loss',
  TAKE_PROFIT: 'Take profit',
  TRAILING_STOP: 'Trailing stop',
};

const ENDED_ON_PURPOSE = new Set(['ORDER_CANCELLED', 'ORDER_EXPIRED']);

export function roleOf(role: string): string {
  return ROLE_WORDS[role] ?? role;
}

/** "STOP @ 147" / "LIMIT @ 156" / "MARKET". */
export function priceOf(o: Order): string {
  const parts = [o.type.replace('_', ' ')];
  if (o.stopPrice) parts.push(`stop ${formatDecimal(o.stopPrice)}`);
  if (o.limitPrice) parts.push(`limit ${formatDecimal(o.limitPrice)}`);
  return parts.join(' · ');
}

/** Every order with its role, side, type, prices, status, fills and the broker's id. */
export function OrdersTable({
  orders,
  showFills = true,
  label,
}: {
  orders: Order[];
  showFills?: boolean;
  label: string;
}) {
  return (
    <table className="table orders-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Role</th>
          <th scope="col">Side</th>
          <th scope="col">Symbol</th>
          <th scope="col">Type · prices</th>
          <th scope="col">Quantity</th>
          <th scope="col">TIF</th>
          <th scope="col">Status</th>
          <th scope="col">Filled</th>
          <th scope="col">Broker order id</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.orderId} data-order-id={o.orderId} data-role={o.role} data-status={o.status}>
            <td data-label="Role">{roleOf(o.role)}</td>
            <td data-label="Side">
              <span className={`side side-${o.side.toLowerCase()}`}>{o.side}</span>
            </td>
            <td data-label="Symbol">{o.symbol}</td>
            <td data-label="Type · prices">{priceOf(o)}</td>
            <td data-label="Quantity">{formatDecimal(o.quantity)}</td>
            <td data-label="TIF">{o.timeInForce}</td>
            <td data-label="Status">
              <StatusBadge status={o.status} />
              {o.error && (
                // An order cancelled or expired on purpose (one-cancels-other, a close) is news, not an error.
                <span
                  className={ENDED_ON_PURPOSE.has(o.error.code) ? 'order-note' : 'order-error'}
                  title={o.error.message}
                >
                  {' '}
                  <code>{o.error.code}</code> {o.error.message}
                </span>
              )}
            </td>
            <td data-label="Filled">
              {formatDecimal(o.filledQuantity)}
              {o.avgFillPrice && <> @ {formatDecimal(o.avgFillPrice)}</>}
              {showFills && o.fills && o.fills.length > 0 && (
                <ul className="fills" aria-label="Fills">
                  {o.fills.map((f, i) => (
                    <li key={i}>
                      {formatDecimal(f.quantity)} @ {formatDecimal(f.price)}{' '}
                      <time dateTime={f.at}>{formatTimestamp(f.at)}</time>
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td data-label="Broker order id">
              {o.brokerOrderId ? (
                <code className="id">{o.brokerOrderId}</code>
              ) : (
                <span className="muted">not yet at the broker</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
