import type { Pool, PoolClient } from 'pg';

export interface TransactionOptions {
  /** Bound on waiting for a row lock held by another transaction (SET LOCAL lock_timeout). */
  lockTimeoutMs?: number;
}

/**
 * BEGIN … COMMIT on one pooled connection, for hand-written SQL on a hot path; ROLLBACK on
 * any error (which is rethrown). Prisma's interactive transactions do the same for the rest.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>, opts: TransactionOptions = {}): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    // One round trip: a simple query may hold several statements (no parameters here).
    await client.query(opts.lockTimeoutMs === undefined ? 'BEGIN' : `BEGIN; SET LOCAL lock_timeout = ${Math.max(1, Math.floor(opts.lockTimeoutMs))}`);
    const result = await fn(client);
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
