import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { OrderJob, SignalJob } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import type { Producer } from '@utm/queue';
import { orderJobsFor } from '../repositories/orders';
import { wakesFor } from '../repositories/pending-signals';
import type { RequestWork } from '../venues/broker/broker-venue';

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
    // A wake of its own (jobId orderId.wake): a job of the same order may be finishing right now,
    // having looked at the account before this change committed; a plain add or a requeue would
    // be swallowed by it, and the work would wait for reconciliation.
    async requestWork(accountId, orderIds) {
      try {
        const wake = `w${randomUUID().slice(0, 8)}`;
        await deps.orders.addBulk((await orderJobsFor(pool, accountId, orderIds)).map((j) => ({ ...j, wake })));
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
