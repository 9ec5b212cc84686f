import type { PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import type { FillResult } from '../domain/fill';
import type { PositionState } from '../domain/positions';

/**
 * A fill at an external broker as domain/fill.ts decided it, written in the caller's
 * transaction (which holds the account row lock). (The paper engine writes its fills with the
 * rest of its batch: paper-batch.ts.)
 */

/** The account's cash and its position in the symbol, as a fill needs them. */
export async function fundsOf(
  client: PoolClient,
  accountId: string,
  symbol: string,
): Promise<{ cash: Decimal; position: PositionState | null }> {
  const { rows } = await client.query<{ cash: string; quantity: string | null; avg_price: string | null }>({
    name: 'executor-funds',
    text: `SELECT a.cash::text, p.quantity::text, p.avg_price::text FROM accounts a
           LEFT JOIN positions p ON p.account_id = a.id AND p.symbol = $2 WHERE a.id = $1`,
    values: [accountId, symbol],
  });
  const r = rows[0];
  if (!r) throw new Error(`account ${accountId} not found`);
  return {
    cash: new Decimal(r.cash),
    position:
      r.quantity === null || r.avg_price === null
        ? null
        : { quantity: new Decimal(r.quantity), avgPrice: new Decimal(r.avg_price) },
  };
}

// One statement: the fill (recorded once per execution id), and only if it is new, the order's
// filled quantity, average and status, the events, the position (upsert, or delete at zero)
// and cash (a delta: no read needed).
const WRITE_FILL = `
WITH f AS (
  INSERT INTO fills (order_id, quantity, price, at, broker_fill_id) VALUES ($1, $2::numeric, $3::numeric, $4, $5)
  ON CONFLICT (order_id, broker_fill_id) DO NOTHING RETURNING id
), o AS (
  UPDATE orders SET filled_quantity = $6::numeric, avg_fill_price = $7::numeric, status = $8::"OrderStatus", updated_at = now()
  WHERE id = $1 AND EXISTS (SELECT 1 FROM f) RETURNING id
), e AS (
  INSERT INTO signal_events (signal_id, order_id, type, message)
  SELECT $9, ev.order_id, ev.type, ev.message FROM unnest($10::uuid[], $11::text[], $12::text[]) WITH ORDINALITY AS ev(order_id, type, message, ord)
  WHERE EXISTS (SELECT 1 FROM o) ORDER BY ev.ord
), p AS (
  INSERT INTO positions (account_id, symbol, quantity, avg_price, updated_at)
  SELECT $13, $14, $15::numeric, $16::numeric, now() WHERE EXISTS (SELECT 1 FROM f) AND $15::numeric <> 0
  ON CONFLICT (account_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, avg_price = EXCLUDED.avg_price, updated_at = now()
), d AS (
  DELETE FROM positions WHERE account_id = $13 AND symbol = $14 AND $15::numeric = 0 AND EXISTS (SELECT 1 FROM f)
), c AS (
  UPDATE accounts SET cash = cash + $17::numeric, updated_at = now() WHERE id = $13 AND EXISTS (SELECT 1 FROM f)
)
SELECT count(*)::int AS inserted FROM f`;

/** Writes the fill, its order, events, position and cash; false when this execution was already recorded (nothing written). */
export async function writeFill(client: PoolClient, r: FillResult): Promise<boolean> {
  const { order, record } = r;
  const { rows } = await client.query<{ inserted: number }>({
    name: 'executor-write-fill',
    text: WRITE_FILL,
    values: [
      record.orderId,
      record.quantity.toFixed(),
      record.price.toFixed(),
      record.at,
      record.brokerFillId,
      order.filledQuantity.toFixed(),
      order.avgFillPrice?.toDecimalPlaces(10).toFixed() ?? null,
      order.status,
      order.signalId,
      r.events.map((e) => e.orderId),
      r.events.map((e) => e.type),
      r.events.map((e) => e.message),
      order.accountId,
      order.symbol,
      r.position.quantity.toFixed(),
      r.position.avgPrice.toFixed(),
      r.cashDelta.toFixed(),
    ],
  });
  return Boolean(rows[0]?.inserted);
}
