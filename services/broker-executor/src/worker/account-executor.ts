import type { Pool } from 'pg';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { acquireExecutionLock } from '../repositories/accounts';
import { actionableOrders, refreshSignal, updateOrder, type ExecOrder } from '../repositories/orders';
import type { Venue } from './venue';

export interface AccountWorkOptions {
  lockTimeoutMs: number;
}

/**
 * Works one account: under its execution lock when its venue needs one (one executor per
 * account across replicas), takes what is actionable in sequence — cancels first where asked, orders still to place,
 * placements left uncertain — until nothing is left. Errors propagate (the job is retried
 * with backoff); what was recorded stays recorded.
 */
export async function workAccount(pool: Pool, venue: Venue, accountId: string, log: Logger, opts: AccountWorkOptions): Promise<number> {
  const lock = venue.serialise ? await acquireExecutionLock(pool, accountId, opts.lockTimeoutMs) : null;
  let handled = 0;
  const seen = new Map<string, string>();
  try {
    for (;;) {
      const orders = await actionableOrders(lock?.client ?? pool, accountId);
      if (!orders.length) return handled;
      for (const order of orders) {
        const state = `${order.status}:${order.cancelRequestedAt ? 'cancel' : ''}`;
        if (seen.get(order.id) === state) throw new Error(`order ${order.id} is still ${state} after it was handled`);
        seen.set(order.id, state);
        await act(pool, venue, order);
        handled++;
        log.debug('order handled', { orderId: order.id, signalId: order.signalId, was: state });
      }
    }
  } finally {
    await lock?.release();
  }
}

async function act(pool: Pool, venue: Venue, order: ExecOrder): Promise<void> {
  if (order.cancelRequestedAt && order.status === 'NEW') {
    // Never sent anywhere: cancelled here.
    await withTransaction(pool, async (c) => {
      await updateOrder(c, order, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'cancelled before it was placed' }, { type: 'ORDER_CANCELLED', message: 'Cancelled before it was placed (a close or reverse asked for it)' });
      await refreshSignal(c, order.signalId);
    });
  } else if (order.status === 'SUBMITTING') {
    await venue.resolve(order);
  } else if (order.cancelRequestedAt) {
    await venue.cancel(order);
  } else {
    await venue.place(order);
  }
}
