import { sqlValue, type SignalJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { SweepFetch } from '@utm/queue';

/**
 * The gateway's outbox is the PENDING status itself: a signal the processor has not picked
 * up after `graceMs` may lack its job (Redis was away when it was accepted, or the gateway
 * died between commit and enqueue), so the sweeper adds it again with jobId = signalId.
 */
export function pendingSignals(db: Db, graceMs: number): SweepFetch<SignalJob> {
  return async (afterSeq, limit) => {
    const { rows } = await db.pool.query<{ seq: string; id: string; account_id: string }>({
      name: 'gateway-sweep-pending',
      text: `SELECT seq, id, account_id FROM signals
             WHERE status = ${sqlValue('PENDING')} AND seq > $1 AND received_at < now() - ($2::int * interval '1 millisecond')
             ORDER BY seq LIMIT $3`,
      values: [afterSeq.toString(), graceMs, limit],
    });
    return rows.map((r) => ({ seq: BigInt(r.seq), job: { signalId: r.id, accountId: r.account_id } }));
  };
}
