import { OPEN_ORDER_STATUSES, SIGNAL_ORDER_ROLES, sqlList } from '@utm/contracts';
import type { PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import type { SignalOrderState } from '../domain/signal-status';
import { ORDER_COLUMNS, toOrder, type ExecOrder } from './orders';

/**
 * Everything a paper placement or fill needs, read in one round trip that also takes the
 * locks (the account row: FOR NO KEY UPDATE, like the processor; the order row: FOR UPDATE):
 * the order, cash, the quote, the position, buying power held elsewhere, and the states of
 * the signal's ENTRY/CLOSE orders (to update its status without reading them again).
 */
export interface PaperContext {
  order: ExecOrder;
  cash: Decimal;
  quote: Decimal | null;
  position: { quantity: Decimal; avgPrice: Decimal } | null;
  /** Σ remaining × price basis of the account's other open entries. */
  reservations: Decimal;
  /** Σ |short quantity| × mark. */
  shortExposure: Decimal;
  /** The signal's ENTRY/CLOSE orders by id (this order included, as read). */
  signalOrders: Map<string, SignalOrderState>;
  /** When the gateway received the order's signal (end-to-end latency starts there). */
  signalReceivedAt: Date;
}

const CONTEXT = `
SELECT ${ORDER_COLUMNS.split(',')
  .map((c) => `o.${c.trim()}`)
  .join(', ')},
       a.cash::text AS cash,
       (SELECT price::text FROM quotes WHERE symbol = o.symbol) AS quote,
       (SELECT json_build_object('quantity', quantity::text, 'avgPrice', avg_price::text) FROM positions WHERE account_id = o.account_id AND symbol = o.symbol) AS position,
       (SELECT coalesce(sum((x.quantity - x.filled_quantity) * coalesce(x.price_basis, 0)), 0)::text FROM orders x
         WHERE x.account_id = o.account_id AND x.id <> o.id AND x.role = 'ENTRY' AND x.cancel_requested_at IS NULL
           AND x.status IN (${sqlList(OPEN_ORDER_STATUSES)})) AS reservations,
       (SELECT coalesce(sum(abs(p.quantity) * coalesce(q.price, p.avg_price)), 0)::text FROM positions p LEFT JOIN quotes q ON q.symbol = p.symbol
         WHERE p.account_id = o.account_id AND p.quantity < 0) AS short_exposure,
       (SELECT json_agg(json_build_object('id', s.id, 'status', s.status, 'filled', s.filled_quantity::text, 'errorCode', s.error_code, 'errorMessage', s.error_message))
          FROM orders s WHERE s.signal_id = o.signal_id AND s.role IN (${sqlList(SIGNAL_ORDER_ROLES)})) AS signal_orders,
       (SELECT received_at FROM signals WHERE id = o.signal_id) AS signal_received_at
FROM orders o JOIN accounts a ON a.id = o.account_id
WHERE o.id = $1
FOR NO KEY UPDATE OF a FOR UPDATE OF o`;

interface SiblingJson {
  id: string;
  status: SignalOrderState['status'];
  filled: string;
  errorCode: string | null;
  errorMessage: string | null;
}

export async function paperContext(client: PoolClient, orderId: string): Promise<PaperContext | null> {
  const { rows } = await client.query({ name: 'paper-context', text: CONTEXT, values: [orderId] });
  const r = rows[0] as
    | (Parameters<typeof toOrder>[0] & {
        cash: string;
        quote: string | null;
        position: { quantity: string; avgPrice: string } | null;
        reservations: string;
        short_exposure: string;
        signal_orders: SiblingJson[] | null;
        signal_received_at: Date;
      })
    | undefined;
  if (!r) return null;
  return {
    order: toOrder(r),
    cash: new Decimal(r.cash),
    quote: r.quote === null ? null : new Decimal(r.quote),
    position: r.position
      ? { quantity: new Decimal(r.position.quantity), avgPrice: new Decimal(r.position.avgPrice) }
      : null,
    reservations: new Decimal(r.reservations),
    shortExposure: new Decimal(r.short_exposure),
    signalOrders: new Map(
      (r.signal_orders ?? []).map((s) => [
        s.id,
        {
          status: s.status,
          filledQuantity: new Decimal(s.filled),
          errorCode: s.errorCode,
          errorMessage: s.errorMessage,
        },
      ]),
    ),
    signalReceivedAt: r.signal_received_at,
  };
}
