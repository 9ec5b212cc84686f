import type { Pool } from 'pg';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { acquireExecutionLock } from '../repositories/accounts';
import { actionableOrders, cancelUnsent, carriedOrders, refreshSignal, type ExecOrder } from '../repositories/orders';
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
      await cancelUnsent(c, order);
      // Its carried legs (a native OCO's stop loss) were never sent either.
      for (const leg of await carriedOrders(c, order.id)) if (leg.status === 'NEW') await cancelUnsent(c, leg);
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
