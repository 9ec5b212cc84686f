import type { PoolClient } from 'pg';
import type { Decimal } from '@utm/db';
import type { PaperWrites } from '../venues/paper/book';

// Everything a batch changed, in one statement. Each CTE touches its own rows (an order is
// updated once, a position written once), so the shared snapshot of a statement's CTEs
// cannot hide one change from another. Counts come back to be checked.
const WRITE = `
WITH ord AS (
  UPDATE orders o SET status = v.status, quantity = v.quantity, broker_order_id = v.broker_order_id, filled_quantity = v.filled, avg_fill_price = v.avg,
         expires_at = v.expires_at, triggered_at = v.triggered_at, stop_price = v.stop_price, trail_reference = v.trail_reference,
         error_code = v.error_code, error_message = v.error_message, limit_price = v.limit_price, updated_at = now()
  FROM unnest($1::uuid[], $2::"OrderStatus"[], $3::numeric[], $4::text[], $5::numeric[], $6::numeric[], $7::timestamptz[], $8::timestamptz[], $9::numeric[], $10::numeric[], $11::text[], $12::text[], $47::numeric[])
       AS v(id, status, quantity, broker_order_id, filled, avg, expires_at, triggered_at, stop_price, trail_reference, error_code, error_message, limit_price)
  WHERE o.id = v.id RETURNING o.id
), fl AS (
  INSERT INTO fills (order_id, quantity, price, at, broker_fill_id)
  SELECT * FROM unnest($13::uuid[], $14::numeric[], $15::numeric[], $16::timestamptz[], $17::text[])
  ON CONFLICT (order_id, broker_fill_id) DO NOTHING RETURNING id
), legs AS (
  INSERT INTO orders (id, signal_id, account_id, parent_order_id, oco_group, role, symbol, side, type, quantity, limit_price, stop_price,
                      trail_percent, trail_amount, trail_reference, time_in_force, status, broker_order_id, filled_quantity, avg_fill_price, error_code, error_message)
  SELECT l.id, l.signal_id, l.account_id, l.parent, l.parent, l.role, l.symbol, l.side, l.type, l.quantity, l.limit_price, l.stop_price,
         l.trail_percent, l.trail_amount, l.trail_reference, l.tif, l.status, l.broker_order_id, l.filled, l.avg, l.error_code, l.error_message
  FROM unnest($18::uuid[], $19::uuid[], $20::uuid[], $21::uuid[], $22::"OrderRole"[], $23::text[], $24::"OrderSide"[], $25::"OrderType"[], $26::numeric[], $27::numeric[],
              $28::numeric[], $29::numeric[], $30::numeric[], $31::numeric[], $32::"TimeInForce"[], $48::"OrderStatus"[], $49::text[], $50::numeric[], $51::numeric[], $52::text[], $53::text[])
       WITH ORDINALITY AS l(id, signal_id, account_id, parent, role, symbol, side, type, quantity, limit_price, stop_price, trail_percent, trail_amount, trail_reference, tif,
                            status, broker_order_id, filled, avg, error_code, error_message, ord)
  ORDER BY l.ord
  RETURNING id
), pos AS (
  INSERT INTO positions (account_id, symbol, quantity, avg_price, updated_at)
  SELECT p.account_id, p.symbol, p.quantity, p.avg_price, now() FROM unnest($33::uuid[], $34::text[], $35::numeric[], $36::numeric[]) AS p(account_id, symbol, quantity, avg_price)
  WHERE p.quantity <> 0
  ON CONFLICT (account_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, avg_price = EXCLUDED.avg_price, updated_at = now()
), pos_gone AS (
  DELETE FROM positions x USING unnest($33::uuid[], $34::text[], $35::numeric[]) AS p(account_id, symbol, quantity)
  WHERE x.account_id = p.account_id AND x.symbol = p.symbol AND p.quantity = 0
), cash AS (
  UPDATE accounts a SET cash = a.cash + d.delta, updated_at = now() FROM unnest($37::uuid[], $38::numeric[]) AS d(id, delta) WHERE a.id = d.id
), sig AS (
  UPDATE signals s SET status = v.status, error_code = v.code, error_message = v.message, updated_at = now()
  FROM unnest($39::uuid[], $40::"SignalStatus"[], $41::text[], $42::text[]) AS v(id, status, code, message) WHERE s.id = v.id
), ev AS (
  INSERT INTO signal_events (signal_id, order_id, type, message)
  SELECT e.signal_id, e.order_id, e.type, e.message FROM unnest($43::uuid[], $44::uuid[], $45::text[], $46::text[]) WITH ORDINALITY AS e(signal_id, order_id, type, message, ord)
  ORDER BY e.ord
)
SELECT (SELECT count(*) FROM ord)::int AS orders, (SELECT count(*) FROM fl)::int AS fills, (SELECT count(*) FROM legs)::int AS legs`;

const text = (v: Decimal | null | undefined) => (v === null || v === undefined ? null : v.toFixed());

/** Writes what a paper batch did, in the caller's transaction (which holds the accounts' locks). */
export async function writePaperBatch(client: PoolClient, w: PaperWrites): Promise<void> {
  const orders = [...w.orders.values()];
  if (!orders.length && !w.events.length) return;
  const legs = [...w.legs.values()];
  const positions = [...w.positions.values()];
  const cash = [...w.cashDelta];
  const signals = [...w.signals];
  const { rows } = await client.query<{ orders: number; fills: number; legs: number }>({
    name: 'paper-write-batch',
    text: WRITE,
    values: [
      orders.map((o) => o.id),
      orders.map((o) => o.status),
      orders.map((o) => o.quantity.toFixed()),
      orders.map((o) => o.brokerOrderId),
      orders.map((o) => o.filledQuantity.toFixed()),
      orders.map((o) => (o.avgFillPrice ? o.avgFillPrice.toDecimalPlaces(10).toFixed() : null)),
      orders.map((o) => o.expiresAt),
      orders.map((o) => o.triggeredAt),
      orders.map((o) => text(o.stopPrice)),
      orders.map((o) => text(o.trailReference)),
      orders.map((o) => o.errorCode ?? null),
      orders.map((o) => o.errorMessage ?? null),
      w.fills.map((f) => f.orderId),
      w.fills.map((f) => f.quantity.toFixed()),
      w.fills.map((f) => f.price.toFixed()),
      w.fills.map((f) => f.at),
      w.fills.map((f) => f.brokerFillId),
      legs.map((l) => l.id),
      legs.map((l) => l.signalId),
      legs.map((l) => l.accountId),
      legs.map((l) => l.parentOrderId),
      legs.map((l) => l.role),
      legs.map((l) => l.symbol),
      legs.map((l) => l.side),
      legs.map((l) => l.type),
      legs.map((l) => l.quantity.toFixed()),
      legs.map((l) => text(l.limitPrice)),
      legs.map((l) => text(l.stopPrice)),
      legs.map((l) => text(l.trailPercent)),
      legs.map((l) => text(l.trailAmount)),
      legs.map((l) => text(l.trailReference)),
      legs.map((l) => l.timeInForce),
      positions.map((p) => p.accountId),
      positions.map((p) => p.symbol),
      positions.map((p) => p.quantity.toFixed()),
      positions.map((p) => p.avgPrice.toFixed()),
      cash.map(([id]) => id),
      cash.map(([, d]) => d.toFixed()),
      signals.map(([id]) => id),
      signals.map(([, s]) => s.status),
      signals.map(([, s]) => s.errorCode),
      signals.map(([, s]) => s.errorMessage),
      w.events.map((e) => e.signalId),
      w.events.map((e) => e.orderId),
      w.events.map((e) => e.type),
      w.events.map((e) => e.message),
      orders.map((o) => text(o.limitPrice)),
      legs.map((l) => l.status),
      legs.map((l) => l.brokerOrderId),
      legs.map((l) => l.filledQuantity.toFixed()),
      legs.map((l) => (l.avgFillPrice ? l.avgFillPrice.toDecimalPlaces(10).toFixed() : null)),
      legs.map((l) => l.errorCode ?? null),
      legs.map((l) => l.errorMessage ?? null),
    ],
  });
  const r = rows[0];
  // Under the accounts' locks nothing else changes these rows: a shortfall is a bug, and rolls the batch back.
  if (!r || r.orders !== orders.length || r.fills !== w.fills.length || r.legs !== legs.length) {
    throw new Error(
      `paper batch wrote ${r?.orders ?? 0}/${orders.length} orders, ${r?.fills ?? 0}/${w.fills.length} fills, ${r?.legs ?? 0}/${legs.length} legs`,
    );
  }
}
