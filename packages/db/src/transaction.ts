import type { Pool, PoolClient } from 'pg';

export interface TransactionOptions {
  /** Bound on waiting for a row lock held by another transaction (SET LOCAL lock_timeout). */
  lockTimeoutMs?: number;
  /**
   * Plan the transaction's prepared statements once (SET LOCAL plan_cache_mode =
   * force_generic_plan). Postgres otherwise re-plans a statement on every execution while its
   * generic plan is estimated dearer than the custom ones, which for the batch statements
   * (many CTEs, array parameters) cost more than executing them. Only for transactions whose
   * statements are known to have good generic plans (no parameter decides an index).
   */
  genericPlans?: boolean;
  /**
   * Send BEGIN without waiting for its answer: `fn`'s first statements leave right behind it
   * (on a client in pipeline mode, createDb's default, they share one round trip). BEGIN
   * cannot fail on a working connection, and on a broken one every statement after it fails.
   */
  pipelined?: boolean;
}

/**
 * BEGIN … COMMIT on one pooled connection, for hand-written SQL on a hot path; ROLLBACK on
 * any error (which is rethrown). Prisma's interactive transactions do the same for the rest.
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  opts: TransactionOptions = {},
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    // One round trip: a simple query may hold several statements (no parameters here).
    const begin = ['BEGIN'];
    if (opts.lockTimeoutMs !== undefined)
      begin.push(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(opts.lockTimeoutMs))}`);
    if (opts.genericPlans) begin.push('SET LOCAL plan_cache_mode = force_generic_plan');
    const begun = client.query(begin.join('; '));
    let result: T;
    if (opts.pipelined) {
      [, result] = await Promise.all([begun, fn(client)]);
    } else {
      await begun;
      result = await fn(client);
    }
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true; // the connection is unusable: do not return it to the pool
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
