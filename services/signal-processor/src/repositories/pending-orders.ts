import { sqlValue, type OrderJob } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { SweepFetch } from '@utm/queue';

/** Orders still NEW after `graceMs` may lack their job: the processor's outbox sweep. */
export function pendingOrders(db: Db, graceMs: number): SweepFetch<OrderJob> {
  return async (afterSeq, limit) => {
    const { rows } = await db.pool.query<{ seq: string; id: string; account_id: string; signal_id: string }>({
      name: 'processor-sweep-new-orders',
      text: `SELECT seq, id, account_id, signal_id FROM orders
             WHERE status = ${sqlValue('NEW')} AND seq > $1 AND created_at < now() - ($2::int * interval '1 millisecond')
             ORDER BY seq LIMIT $3`,
      values: [afterSeq.toString(), graceMs, limit],
    });
    return rows.map((r) => ({
      seq: BigInt(r.seq),
      job: { orderId: r.id, accountId: r.account_id, signalId: r.signal_id },
    }));
  };
}
