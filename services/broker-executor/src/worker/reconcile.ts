import type { Pool } from 'pg';
import { SENT_ORDER_STATUSES, sqlList } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { Decimal, withTransaction } from '@utm/db';
import { refreshSignal, updateOrder, loadOrder } from '../repositories/orders';
import type { BrokerOrder } from '../venues/broker/types';
import type { BrokerVenue, RequestWork } from '../venues/broker/broker-venue';

/**
 * Every order we believe is at an external broker (SUBMITTING, ACCEPTED, PARTIALLY_FILLED) is
 * compared with the broker's view, at start-up and on a timer; drift is corrected and recorded
 * as an event. An order left SUBMITTING that the broker has never seen goes back to the
 * account's executor, which sends it (it was never placed); one we think is working but the
 * broker does not know ends CANCELLED with the reason.
 */
export async function reconcile(
  pool: Pool,
  venueFor: (accountId: string) => Promise<BrokerVenue | null>,
  requestWork: RequestWork,
  log: Logger,
  onResult: (result: string) => void,
): Promise<number> {
  const { rows } = await pool.query<{
    id: string;
    account_id: string;
    status: string;
    filled_quantity: string;
    cancel_requested: boolean;
    carried_by: string | null;
    broker_order_id: string | null;
  }>(
    `SELECT o.id, o.account_id, o.status, o.filled_quantity::text, o.cancel_requested_at IS NOT NULL AS cancel_requested, o.carried_by, o.broker_order_id
     FROM orders o JOIN accounts a ON a.id = o.account_id
     WHERE a.broker <> 'paper' AND o.status IN (${sqlList(SENT_ORDER_STATUSES)}) ORDER BY o.seq`,
  );
  let corrected = 0;
  // Each account's view in few requests (its open orders in one list, the rest one by one): the
  // account's request budget is shared with placement.
  const views = new Map<string, Map<string, BrokerOrder | null>>();
  for (const accountId of new Set(rows.map((r) => r.account_id))) {
    const venue = await venueFor(accountId);
    const mine = rows.filter((r) => r.account_id === accountId);
    if (venue)
      views.set(
        accountId,
        await venue
          .brokerViews(mine.map((r) => ({ id: r.id, carriedBy: r.carried_by, brokerOrderId: r.broker_order_id })))
          .catch((err: unknown) => {
            log.warn('reconciliation could not read an account at its broker; next pass retries', { accountId, err });
            return new Map<string, BrokerOrder | null>();
          }),
      );
  }
  for (const r of rows) {
    const venue = await venueFor(r.account_id);
    if (!venue) continue;
    // A cancel asked for but not carried out (its job was lost): the account's executor does it.
    // (A carried leg is cancelled with its carrier, or by the broker's own one-cancels-other.)
    if (r.cancel_requested && !r.carried_by) await requestWork(r.account_id, [r.id]);
    const view = views.get(r.account_id);
    if (!view?.has(r.id)) {
      onResult('error'); // not read this time (logged where it failed): the next pass tries again
      continue;
    }
    try {
      const found = view.get(r.id) ?? null;
      if (!found) {
        if (r.status === 'SUBMITTING') {
          // Never placed: placing it (or its carrier, which carries it) is the executor's job.
          await requestWork(r.account_id, [r.carried_by ?? r.id]);
          onResult('resubmit');
          continue;
        }
        await withTransaction(pool, async (c) => {
          const o = await loadOrder(c, r.id, true);
          if (!o || !['ACCEPTED', 'PARTIALLY_FILLED'].includes(o.status)) return;
          await updateOrder(
            c,
            o,
            {
              status: 'CANCELLED',
              errorCode: 'ORDER_CANCELLED',
              errorMessage: `${venue.name} has no record of this order`,
            },
            {
              type: 'RECONCILED',
              message: `Drift: ${venue.name} has no record of this order; it is no longer working`,
            },
          );
          await refreshSignal(c, o.signalId);
        });
        corrected++;
        onResult('missing');
        continue;
      }
      const filled = new Decimal(r.filled_quantity);
      const drift = found.status !== r.status || !found.filledQuantity.eq(filled);
      await venue.apply(
        r.id,
        found,
        drift
          ? `Reconciled with ${venue.name}: ${r.status} → ${found.status}, filled ${filled.toFixed()} → ${found.filledQuantity.toFixed()}`
          : null,
      );
      if (drift) corrected++;
      onResult(drift ? 'corrected' : 'in-sync');
    } catch (err) {
      onResult('error');
      log.warn('reconciliation of an order failed; next pass retries', { orderId: r.id, err });
    }
  }
  return corrected;
}
