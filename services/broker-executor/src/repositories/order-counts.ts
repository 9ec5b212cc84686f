import type { Pool } from 'pg';
import { withTransaction } from '@utm/db';

/**
 * Orders by status, every status of the database's enum included (0 when none), for the
 * utm_orders gauge. One aggregate over the orders table (an index-only scan of
 * orders_account_id_status_idx where visibility allows), cut off by a statement timeout so
 * that a scrape never loads the database for long.
 */
export async function orderCountsByStatus(pool: Pool, timeoutMs: number): Promise<Record<string, number>> {
  return withTransaction(pool, async (c) => {
    await c.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    const { rows } = await c.query<{ status: string; n: number }>(
      `SELECT s.status::text AS status, count(o.status)::int AS n
       FROM unnest(enum_range(NULL::"OrderStatus")) AS s(status)
       LEFT JOIN orders o ON o.status = s.status
       GROUP BY s.status ORDER BY s.status`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  });
}
