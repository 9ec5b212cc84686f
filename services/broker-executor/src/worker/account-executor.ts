import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { acquireExecutionLock, lockAccountRows } from '../repositories/accounts';
import { loadPaperWork, paperWorkFor } from '../repositories/paper-book';
import { actionableOrders, cancelUnsent, carriedOrders, refreshSignal, type ExecOrder } from '../repositories/orders';
import type { PaperVenue } from './paper-venue';
import type { Venue } from './venue';

export interface AccountWorkOptions {
  lockTimeoutMs: number;
}

/** What an order handled on the paper engine was, as a broker call. */
export type PaperOperation = 'place' | 'resolve' | 'cancel';

function operationOf(o: ExecOrder): PaperOperation {
  if (o.status === 'SUBMITTING') return 'resolve';
  return o.cancelRequestedAt ? 'cancel' : 'place';
}

/** Orders of one account taken per round at most. */
const PER_ROUND = 50;

/** Guards against an order that handling leaves actionable in the same state (a bug: it would loop). */
class Progress {
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
  venue: Venue,
  accountId: string,
  log: Logger,
  opts: AccountWorkOptions,
): Promise<number> {
  const lock = venue.serialise ? await acquireExecutionLock(pool, accountId, opts.lockTimeoutMs) : null;
  let handled = 0;
  const progress = new Progress();
  try {
    for (;;) {
      const orders = await actionableOrders(lock?.client ?? pool, accountId, PER_ROUND);
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

/**
 * Works paper accounts together: one transaction locks the accounts' rows, then takes each
 * account's actionable orders in sequence and carries them out on the paper engine, all of it
 * committed at once. The account row lock is what serialises an account's work across jobs
 * and replicas (the processor decides under the same lock), so no execution lock is needed.
 * The batch skips accounts another transaction holds (waiting on one, it would hold all the
 * others meanwhile); each of those is then worked on its own, waiting for its lock. Rounds
 * repeat for accounts that had more than a round's worth.
 */
export async function workPaperAccounts(
  pool: Pool,
  venue: PaperVenue,
  accountIds: string[],
  log: Logger,
  opts: AccountWorkOptions & {
    /** Told, once a round has committed, of each order it handled and how long the round took. */
    onHandled?: (operation: PaperOperation, seconds: number) => void;
  },
  skipLocked = true,
): Promise<number> {
  let handled = 0;
  let open = accountIds;
  const progress = new Progress();
  while (open.length) {
    const started = process.hrtime.bigint();
    const round = await withTransaction(
      pool,
      async (c) => {
        // Pipelined: the work query leaves with the lock statement and runs right after it.
        const [locked, raw] = await Promise.all([
          lockAccountRows(c, open, skipLocked),
          loadPaperWork(c, open, PER_ROUND),
        ]);
        const held = skipLocked ? open.filter((id) => !locked.some((a) => a.id === id)) : [];
        const work = paperWorkFor(raw, locked);
        return { orders: work.orders, reached: await venue.workIn(c, work, (o) => progress.check(o)), held };
      },
      // Planned once (see TransactionOptions.genericPlans): the lock, work and write statements.
      { lockTimeoutMs: opts.lockTimeoutMs, genericPlans: true, pipelined: true },
    );
    venue.report(round.reached);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const perAccount = new Map<string, number>();
    for (const o of round.orders) {
      perAccount.set(o.accountId, (perAccount.get(o.accountId) ?? 0) + 1);
      opts.onHandled?.(operationOf(o), seconds);
      log.debug('order handled', {
        orderId: o.id,
        signalId: o.signalId,
        was: `${o.status}${o.cancelRequestedAt ? ':cancel' : ''}`,
      });
    }
    handled += round.orders.length;
    const alone = await Promise.all(round.held.map((id) => workPaperAccounts(pool, venue, [id], log, opts, false)));
    handled += alone.reduce((a, b) => a + b, 0);
    open = [...perAccount].filter(([, n]) => n >= PER_ROUND).map(([id]) => id);
  }
  return handled;
}

/** Never sent anywhere: cancelled here, with the legs it carries (a native OCO's stop loss). */
async function cancelNeverSent(c: PoolClient, order: ExecOrder): Promise<void> {
  await cancelUnsent(c, order);
  for (const leg of await carriedOrders(c, order.id)) if (leg.status === 'NEW') await cancelUnsent(c, leg);
  await refreshSignal(c, order.signalId);
}

async function act(pool: Pool, venue: Venue, order: ExecOrder): Promise<void> {
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
