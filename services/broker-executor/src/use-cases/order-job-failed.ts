import type { Pool } from 'pg';
import { withTransaction } from '@utm/db';
import { UnrecoverableError } from '@utm/queue';
import { carriedOrders, loadOrder, refreshSignal, updateOrder } from '../repositories/orders';

/**
 * What happens when an order job fails. A transient failure is retried with backoff (the
 * queue's policy); a job fails for good when the error says retrying cannot help, or when it
 * has used its attempts. Then an order never sent (NEW) ends REJECTED, with the legs it carries
 * (a native OCO's stop), and its signal FAILED: with BROKER_ERROR and why when its account's
 * broker cannot be reached, RETRIES_EXHAUSTED otherwise. An order that may be at the broker
 * (SUBMITTING) is left to reconciliation, which asks the broker.
 */

/** The account's broker cannot be connected (credentials missing or unreadable): final. */
export class BrokerUnreachable extends UnrecoverableError {}

export type JobFailure =
  { final: false } | { final: true; code: 'BROKER_ERROR' | 'RETRIES_EXHAUSTED'; message: string };

/** Pure: whether a failure is final and, if so, what the order and its signal record. */
export function jobFailure(err: Error, attemptsMade: number, attempts: number): JobFailure {
  if (!(err instanceof UnrecoverableError) && attemptsMade < attempts) return { final: false };
  if (err instanceof BrokerUnreachable) return { final: true, code: 'BROKER_ERROR', message: err.message };
  return { final: true, code: 'RETRIES_EXHAUSTED', message: `Retries exhausted: ${err.message}` };
}

/** Records a final failure on the job's order (when it was never sent) and its signal. */
export async function recordJobFailure(
  pool: Pool,
  orderId: string,
  failure: Extract<JobFailure, { final: true }>,
): Promise<void> {
  const { code, message } = failure;
  const rejected = { status: 'REJECTED', errorCode: code, errorMessage: message } as const;
  await withTransaction(pool, async (c) => {
    const o = await loadOrder(c, orderId, true);
    if (!o || o.status !== 'NEW') return; // SUBMITTING: reconciliation asks the broker
    await updateOrder(c, o, rejected, { type: 'ORDER_REJECTED', message });
    for (const leg of await carriedOrders(c, o.id))
      if (leg.status === 'NEW') await updateOrder(c, leg, rejected, { type: 'ORDER_REJECTED', message });
    await refreshSignal(c, o.signalId);
  });
}
