import type { Db } from '@utm/db';

/** The states a signal ends in (docs/contract.md, "Lifecycles"). */
export const TERMINAL = ['FILLED', 'REJECTED', 'FAILED', 'CANCELLED', 'EXPIRED'];

export interface OrderOutcome {
  id: string;
  role: string;
  side: string;
  quantity: string;
  status: string;
  seq: bigint;
  fills: number;
  brokerOrderId: string | null;
}

export interface SignalOutcome {
  id: string;
  accountId: string;
  action: string;
  status: string;
  errorCode: string | null;
  seq: bigint;
  idempotencyKey: string | null;
  orders: OrderOutcome[];
}

/** The signals (all of this database's when `ids` is omitted) with their orders and fill counts. */
export async function outcomes(db: Db, ids?: string[]): Promise<Map<string, SignalOutcome>> {
  const where = ids ? 'WHERE s.id = ANY($1::uuid[])' : '';
  const { rows: signals } = await db.pool.query<{
    id: string;
    account_id: string;
    action: string;
    status: string;
    error_code: string | null;
    seq: string;
    idempotency_key: string | null;
  }>(
    `SELECT s.id, s.account_id, s.action, s.status, s.error_code, s.seq::text, s.idempotency_key FROM signals s ${where}`,
    ids ? [ids] : [],
  );
  const { rows: orders } = await db.pool.query<{
    id: string;
    signal_id: string;
    role: string;
    side: string;
    quantity: string;
    status: string;
    seq: string;
    broker_order_id: string | null;
    fills: string;
  }>(
    `SELECT o.id, o.signal_id, o.role, o.side, o.quantity::text, o.status, o.seq::text, o.broker_order_id,
            (SELECT count(*) FROM fills f WHERE f.order_id = o.id)::text AS fills
     FROM orders o JOIN signals s ON s.id = o.signal_id ${where} ORDER BY o.seq`,
    ids ? [ids] : [],
  );
  const out = new Map<string, SignalOutcome>();
  for (const s of signals) {
    out.set(s.id, {
      id: s.id,
      accountId: s.account_id,
      action: s.action,
      status: s.status,
      errorCode: s.error_code,
      seq: BigInt(s.seq),
      idempotencyKey: s.idempotency_key,
      orders: [],
    });
  }
  for (const o of orders) {
    out.get(o.signal_id)?.orders.push({
      id: o.id,
      role: o.role,
      side: o.side,
      quantity: o.quantity,
      status: o.status,
      seq: BigInt(o.seq),
      fills: Number(o.fills),
      brokerOrderId: o.broker_order_id,
    });
  }
  return out;
}

/** Polls until every signal of `ids` is in one of `statuses`; on timeout, says which are not and where they wait. */
export async function waitForStatuses(
  db: Db,
  ids: string[],
  statuses: string[] = TERMINAL,
  timeoutMs = 30000,
): Promise<Map<string, SignalOutcome>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await outcomes(db, ids);
    const waiting = ids.filter((id) => !statuses.includes(found.get(id)?.status ?? 'MISSING'));
    if (!waiting.length) return found;
    if (Date.now() > deadline) {
      const byStatus = new Map<string, string[]>();
      for (const id of waiting) {
        const s = found.get(id);
        const where = s
          ? `${s.status}${s.orders.length ? ` [${s.orders.map((o) => o.status).join(',')}]` : ''}`
          : 'MISSING';
        byStatus.set(where, [...(byStatus.get(where) ?? []), id]);
      }
      const summary = [...byStatus]
        .map(([where, list]) => `${list.length} ${where} (e.g. ${list.slice(0, 3).join(', ')})`)
        .join('; ');
      throw new Error(
        `${waiting.length} of ${ids.length} signals not ${statuses.join('/')} after ${timeoutMs} ms: ${summary}`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
