import type { Pool } from 'pg';
import type { OrderJob, SignalJob } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import type { Producer } from '@utm/queue';
import { orderJobsFor } from '../repositories/orders';
import { wakesFor } from '../repositories/pending-signals';
import type { RequestWork } from './broker-venue';

/**
 * What the executor asks for after it has worked orders, best effort: a lost request is made
 * up for elsewhere (new orders by the gateway's outbox sweeper, cancels by reconciliation,
 * deferred signals by the processor's own re-checks), so a failure is logged, not thrown.
 */
export interface FollowUps {
  /** The account worked again for these orders (exit legs to place, cancels to send, replacements). */
  requestWork: RequestWork;
  /** The accounts' first PENDING signals decided now (the processor deferred them behind the orders just worked). */
  wakeDeferred(accountIds: string[]): Promise<void>;
}

export function createFollowUps(deps: {
  pool: Pool;
  orders: Producer<OrderJob>;
  signals: Producer<SignalJob>;
  log: Logger;
}): FollowUps {
  const { pool, log } = deps;
  return {
    // requeue, not add: an order asked to cancel already has a finished job under its id
    // (its placement), which a plain add would silently keep.
    async requestWork(accountId, orderIds) {
      try {
        await deps.orders.requeue(await orderJobsFor(pool, accountId, orderIds));
      } catch (err) {
        log.warn('could not enqueue follow-up work; the sweeper and reconciliation will', { accountId, err });
      }
    },
    async wakeDeferred(accountIds) {
      try {
        await deps.signals.addBulk(await wakesFor(pool, accountIds));
      } catch (err) {
        log.warn('could not wake deferred signals; the processor re-checks them', { accounts: accountIds.length, err });
      }
    },
  };
}
