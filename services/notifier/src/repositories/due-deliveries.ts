import type { DeliveryJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { SweepFetch } from '@utm/queue';

/**
 * Deliveries still PENDING `graceMs` after they were due: their job may be missing. Paged by
 * due time (ms) for the sweeper's cursor; the partial index on next_attempt_at serves it.
 */
export function dueDeliveries(db: Db, graceMs: number): SweepFetch<DeliveryJob> {
  return async (afterSeq, limit) => {
    const { rows } = await db.pool.query<{ id: string; due: string }>({
      name: 'notifier-due-deliveries',
      text: `SELECT id, (extract(epoch FROM next_attempt_at) * 1000)::bigint::text AS due FROM webhook_deliveries
             WHERE status = 'PENDING' AND next_attempt_at < now() - make_interval(secs => $1 / 1000.0)
               AND next_attempt_at > to_timestamp($2 / 1000.0)
             ORDER BY next_attempt_at LIMIT $3`,
      values: [graceMs, afterSeq.toString(), limit],
    });
    return rows.map((r) => ({ seq: BigInt(r.due), job: { deliveryId: r.id } }));
  };
}
