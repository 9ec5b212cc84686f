import { sqlList, WORKING_ORDER_STATUSES } from '@utm/contracts';
import type { Pool } from 'pg';

/** Where the paper engine has orders resting: the quote engine's reads, outside any lock. */

/** Every symbol with resting orders of a paper account (after a reconnect, and periodically). */
export async function symbolsResting(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ symbol: string }>(
    `SELECT DISTINCT o.symbol FROM orders o JOIN accounts a ON a.id = o.account_id
     WHERE o.status IN (${sqlList(WORKING_ORDER_STATUSES)}) AND a.broker = 'paper'`,
  );
  return rows.map((r) => r.symbol);
}

/** The paper accounts with orders resting in `symbol`, the account of the oldest first. */
export async function restingPaperAccounts(pool: Pool, symbol: string): Promise<string[]> {
  const { rows } = await pool.query<{ account_id: string }>({
    name: 'paper-resting-accounts',
    text: `SELECT o.account_id FROM orders o JOIN accounts a ON a.id = o.account_id
           WHERE o.symbol = $1 AND o.status IN (${sqlList(WORKING_ORDER_STATUSES)}) AND a.broker = 'paper'
           GROUP BY o.account_id ORDER BY min(o.seq)`,
    values: [symbol],
  });
  return rows.map((r) => r.account_id);
}
