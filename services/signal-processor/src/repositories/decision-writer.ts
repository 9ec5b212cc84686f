import type { Pool, PoolClient } from 'pg';
import type { ExitRules } from '@utm/contracts';
import { qty, type Decision, type OrderDraft } from '../domain';

function describe(o: OrderDraft, symbol: string): string {
  const price =
    o.type === 'LIMIT'
      ? ` @ ${o.limitPrice?.toFixed()}`
      : o.type === 'STOP'
        ? ` stop ${o.stopPrice?.toFixed()}`
        : o.type === 'STOP_LIMIT'
          ? ` stop ${o.stopPrice?.toFixed()} limit ${o.limitPrice?.toFixed()}`
          : '';
  return `${o.role} ${o.side} ${qty(o.quantity)} ${symbol} ${o.type}${price} ${o.timeInForce}`;
}

// One statement per decision: cancel requests, the orders (in the decision's order, so a
// reverse's close precedes its entry in seq), the signal's status, one event per step.
const WRITE_DECISION = `
WITH cancelled AS (
  UPDATE orders SET cancel_requested_at = now(), updated_at = now()
  WHERE id = ANY($2::uuid[]) AND cancel_requested_at IS NULL RETURNING id
), created AS (
  INSERT INTO orders (id, signal_id, account_id, role, symbol, side, type, quantity, limit_price, stop_price, time_in_force, price_basis, exit_rules)
  SELECT o.id, $1, $3, o.role, $4, o.side, o.type, o.quantity, o.limit_price, o.stop_price, o.tif, o.price_basis, o.exit_rules::jsonb
  FROM unnest($5::uuid[], $6::"OrderRole"[], $7::"OrderSide"[], $8::"OrderType"[], $9::numeric[], $10::numeric[], $11::numeric[],
              $12::"TimeInForce"[], $13::numeric[], $14::text[])
       WITH ORDINALITY AS o(id, role, side, type, quantity, limit_price, stop_price, tif, price_basis, exit_rules, ord)
  ORDER BY o.ord
  RETURNING id
), signal AS (
  UPDATE signals SET status = $15::"SignalStatus", error_code = $16, error_message = $17, updated_at = now()
  WHERE id = $1 AND status = 'PENDING' RETURNING id
), events AS (
  INSERT INTO signal_events (signal_id, order_id, type, message)
  SELECT $1, e.order_id, e.type, e.message FROM unnest($18::uuid[], $19::text[], $20::text[]) WITH ORDINALITY AS e(order_id, type, message, ord)
  ORDER BY e.ord
)
SELECT (SELECT count(*) FROM signal) AS updated`;

export interface SignalRef {
  id: string;
  accountId: string;
  symbol: string;
}

/**
 * Writes one decision inside the account's transaction: PENDING → PROCESSING, then REJECTED
 * with its code, or left PROCESSING with its orders NEW; an event per transition and order.
 */
export async function writeDecision(client: PoolClient, signal: SignalRef, decision: Decision, orders: { id: string; draft: OrderDraft }[]): Promise<void> {
  const events: { orderId: string | null; type: string; message: string }[] = [{ orderId: null, type: 'PROCESSING', message: 'Processing started' }];
  const cancelIds = decision.kind === 'accept' ? decision.cancelOrderIds : [];
  if (decision.kind === 'reject') {
    events.push({ orderId: null, type: 'REJECTED', message: `${decision.code}: ${decision.message}` });
  } else {
    for (const id of cancelIds) events.push({ orderId: id, type: 'CANCEL_REQUESTED', message: `Cancel requested for order ${id}` });
    for (const note of decision.notes) events.push({ orderId: null, type: 'NOTE', message: note });
    for (const { id, draft } of orders) events.push({ orderId: id, type: 'ORDER_CREATED', message: describe(draft, signal.symbol) });
  }
  const d = orders.map((o) => o.draft);
  const text = (v: { toFixed(): string } | null) => (v === null ? null : v.toFixed());
  const { rows } = await client.query<{ updated: string }>({
    name: 'processor-write-decision',
    text: WRITE_DECISION,
    values: [
      signal.id,
      cancelIds,
      signal.accountId,
      signal.symbol,
      orders.map((o) => o.id),
      d.map((o) => o.role),
      d.map((o) => o.side),
      d.map((o) => o.type),
      d.map((o) => o.quantity.toFixed()),
      d.map((o) => text(o.limitPrice)),
      d.map((o) => text(o.stopPrice)),
      d.map((o) => o.timeInForce),
      d.map((o) => text(o.priceBasis)),
      d.map((o) => (o.exitRules === null ? null : JSON.stringify(o.exitRules satisfies ExitRules))),
      decision.kind === 'reject' ? 'REJECTED' : 'PROCESSING',
      decision.kind === 'reject' ? decision.code : null,
      decision.kind === 'reject' ? decision.message : null,
      events.map((e) => e.orderId),
      events.map((e) => e.type),
      events.map((e) => e.message),
    ],
  });
  if (rows[0]?.updated !== '1') throw new Error(`signal ${signal.id} was not PENDING when its decision was written`);
}

const FAIL_SIGNAL = `
WITH failed AS (
  UPDATE signals SET status = 'FAILED', error_code = $2, error_message = $3, updated_at = now()
  WHERE id = $1 AND status IN ('PENDING', 'PROCESSING') AND NOT EXISTS (SELECT 1 FROM orders WHERE signal_id = $1)
  RETURNING id
)
INSERT INTO signal_events (signal_id, type, message) SELECT id, 'FAILED', $2 || ': ' || $3 FROM failed RETURNING signal_id`;

/** Ends a signal as FAILED (retries exhausted, unreadable request), unless it already has orders. */
export async function failSignal(db: Pool | PoolClient, signalId: string, code: string, message: string): Promise<boolean> {
  const { rowCount } = await db.query({ name: 'processor-fail-signal', text: FAIL_SIGNAL, values: [signalId, code, message] });
  return (rowCount ?? 0) > 0;
}
