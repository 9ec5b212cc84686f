import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { ExecOrder } from '../domain/order';
import { acquireExecutionLock } from '../repositories/accounts';
import { actionableOrders, cancelUnsent, carriedOrders, refreshSignal } from '../repositories/orders';
import type { OrderVenue } from './venue';

export interface AccountWorkOptions {
  lockTimeoutMs: number;
}

/** Orders of one account taken per round at most. */
export const PER_ROUND = 50;

/** Guards against an order that handling leaves actionable in the same state (a bug: it would loop). */
export class Progress {
  private readonly seen = new Map<string, string>();

  check(order: ExecOrder): string {
    const state = `${order.status}:${order.cancelRequestedAt ? 'cancel' : ''}`;
    if (this.seen.get(order.id) === state) throw new Error(`order ${order.id} is still ${state} after it was handled`);
    this.seen.set(order.id, state);
    return state;
  }
}

/**
 * Works one account at an external broker: under its execution lock (one executor per
 * account across replicas, since a placement spans several transactions around a broker
 * call), takes what is actionable in sequence — cancels first where asked, orders still to
 * place, placements left uncertain — until nothing is left. Errors propagate (the job is
 * retried with backoff); what was recorded stays recorded.
 */
export async function workAccount(
  pool: Pool,
  venue: OrderVenue,
  accountId: string,
  log: Logger,
  opts: AccountWorkOptions,
): Promise<number> {
  const lock = venue.serialise ? await acquireExecutionLock(pool, accountId, opts.lockTimeoutMs) : null;
  let handled = 0;
  const progress = new Progress();
  try {
    for (;;) {
      const orders = await actionableOrders(lock?.client ?? pool, accountId, PER_ROUND, venue.oppositeOrdersRefused);
      if (!orders.length) return handled;
      for (const order of orders) {
        const was = progress.check(order);
        await act(pool, venue, order);
        handled++;
        log.debug('order handled', { orderId: order.id, signalId: order.signalId, was });
      }
    }
  } finally {
    await lock?.release();
  }
}

/** Never sent anywhere: cancelled here, with the legs it carries (a native OCO's stop loss). */
async function cancelNeverSent(c: PoolClient, order: ExecOrder): Promise<void> {
  await cancelUnsent(c, order);
  for (const leg of await carriedOrders(c, order.id)) if (leg.status === 'NEW') await cancelUnsent(c, leg);
  await refreshSignal(c, order.signalId);
}

async function act(pool: Pool, venue: OrderVenue, order: ExecOrder): Promise<void> {
  if (order.cancelRequestedAt && order.status === 'NEW') {
    await withTransaction(pool, (c) => cancelNeverSent(c, order));
  } else if (order.status === 'SUBMITTING') {
    await venue.resolve(order);
  } else if (order.cancelRequestedAt) {
    await venue.cancel(order);
  } else {
    await venue.place(order);
  }
}
