import type { PoolClient } from 'pg';

/**
 * What orders at an external broker wait for (actionableOrders says which wait), and the mark
 * of a cancel the broker has taken but not finished (orders.cancel_sent_at).
 */

/** The broker took the cancel request: not sent again while it is pending. */
export async function markCancelSent(c: PoolClient, orderId: string): Promise<void> {
  await c.query(
    'UPDATE orders SET cancel_sent_at = now(), updated_at = now() WHERE id = $1 AND cancel_sent_at IS NULL',
    [orderId],
  );
}

/** The cancel did not take (the broker rejected it): it is asked for again. */
export async function clearCancelSent(c: PoolClient, orderId: string): Promise<void> {
  await c.query('UPDATE orders SET cancel_sent_at = NULL, updated_at = now() WHERE id = $1', [orderId]);
}

/**
 * Orders not sent yet in the account's symbol (their placement may have waited for an order of
 * that symbol to end): worked again when one ends.
 */
export async function waitingInSymbol(c: PoolClient, accountId: string, symbol: string): Promise<string[]> {
  const { rows } = await c.query<{ id: string }>({
    name: 'executor-waiting-in-symbol',
    text: `SELECT id FROM orders WHERE account_id = $1 AND symbol = $2 AND status = 'NEW' AND carried_by IS NULL`,
    values: [accountId, symbol],
  });
  return rows.map((r) => r.id);
}
