import { sqlValue } from '@utm/contracts';
import type { PoolClient } from 'pg';
import { addEvent, loadOrder, type ExecOrder } from './orders';

/**
 * The links between a resized exit leg's rows (orders.replaces): which row replaced an order
 * the broker reports as replaced, which rows wait for an order to change.
 */

/**
 * Our row that replaces `orderId` through a replace request and that the broker calls
 * `brokerOrderId` (or whose answer we have not recorded yet): null when the replacement is
 * none of ours (a corporate action).
 */
export async function replacementOf(c: PoolClient, orderId: string, brokerOrderId: string): Promise<string | null> {
  const { rows } = await c.query<{ id: string }>(
    `SELECT id FROM orders WHERE replaces = $1 AND replace_method = 'AMEND' AND status <> ${sqlValue('NEW')}
       AND (broker_order_id = $2 OR broker_order_id IS NULL) ORDER BY seq DESC LIMIT 1`,
    [orderId, brokerOrderId],
  );
  return rows[0]?.id ?? null;
}

/** Orders to work now that `orderId` changed: the replacements waiting on it (an OCO pair's through its carrier). */
export async function waitingOn(c: PoolClient, orderId: string): Promise<string[]> {
  const { rows } = await c.query<{ id: string }>(
    `SELECT DISTINCT coalesce(carried_by, id) AS id FROM orders WHERE replaces = $1 AND status = ${sqlValue('NEW')}`,
    [orderId],
  );
  return rows.map((r) => r.id);
}

const working = (o: Pick<ExecOrder, 'quantity' | 'filledQuantity'>) => o.quantity.minus(o.filledQuantity).toFixed();

/** The broker took a replacement row: the resize is done, old → new working quantity. */
export async function recordResized(c: PoolClient, r: ExecOrder, broker: string): Promise<void> {
  const old = r.replaces ? await loadOrder(c, r.replaces) : null;
  if (!old) return;
  const how = r.replaceMethod === 'AMEND' ? 'its replace request' : 'the old order cancelled first';
  await addEvent(
    c,
    r.signalId,
    r.id,
    'EXIT_LEG_RESIZED',
    `${r.role} ${working(old)} → ${r.quantity.toFixed()} at ${broker}: order ${r.id} (broker id ${r.brokerOrderId ?? '?'}) replaces ${old.id}, by ${how}`,
  );
}
