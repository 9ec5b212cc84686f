import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { sqlValue, type SignalJob } from '@utm/contracts';

/**
 * The first PENDING signal of each of the accounts, as a job waking it: a signal the processor
 * deferred while earlier orders of its account were being worked (its settlement rule) is
 * decided as soon as the executor has worked them, instead of at its next re-check. Each wake
 * is a job of its own (`wake`), so that one finished earlier does not swallow it.
 */
export async function wakesFor(pool: Pool, accountIds: string[]): Promise<SignalJob[]> {
  if (!accountIds.length) return [];
  const { rows } = await pool.query<{ id: string; account_id: string }>({
    name: 'executor-first-pending',
    text: `SELECT p.id, a.id AS account_id FROM unnest($1::uuid[]) AS a(id) CROSS JOIN LATERAL (
             SELECT id FROM signals WHERE account_id = a.id AND status = ${sqlValue('PENDING')} ORDER BY seq LIMIT 1) p`,
    values: [accountIds],
  });
  return rows.map((r) => ({ signalId: r.id, accountId: r.account_id, wake: `w${randomUUID().slice(0, 8)}` }));
}
