import type { Pool } from 'pg';
import type { OrderJob } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { Batcher, runSplittingOnFailure } from '@utm/queue';
import type { AccountVenues } from './account-venues';
import { workAccount, workPaperAccounts } from './account-executor';
import type { FollowUps } from './follow-ups';
import type { ExecutorMetrics } from './metrics';
import type { PaperVenue } from './paper-venue';

export interface OrderJobsDeps {
  pool: Pool;
  paper: PaperVenue;
  venues: AccountVenues;
  followUps: FollowUps;
  metrics: ExecutorMetrics;
  log: Logger;
  lockTimeoutMs: number;
  /** Jobs worked together at most: their paper accounts in one transaction. */
  batchSize: number;
  /** Paper batches under way at once. */
  batchesInFlight: number;
}

/**
 * What an order job does: work its account on the account's venue, then wake the account's
 * deferred signals. Paper accounts are worked in batches — the accounts of the jobs taken
 * together, in one transaction (split by account if it fails); an account at an external
 * broker on its own, outside the batches, so that its broker's round trips never hold up
 * the paper accounts of a batch.
 */
export function orderJobHandler(deps: OrderJobsDeps): (job: OrderJob) => Promise<void> {
  const { pool, paper, venues, followUps, metrics, log } = deps;
  const workOpts = { lockTimeoutMs: deps.lockTimeoutMs };
  const onHandled = (operation: string, seconds: number) =>
    metrics.brokerCalls.observe({ broker: 'paper', operation, outcome: 'ok' }, seconds);

  const paperBatches = new Batcher<string, void>(
    async (accountIds) => {
      const ids = [...new Set(accountIds)];
      const results = await runSplittingOnFailure(
        ids,
        (id) => id,
        async (some) => {
          const handled = await workPaperAccounts(pool, paper, some, log, { ...workOpts, onHandled });
          metrics.ordersHandled.inc(handled);
          if (handled) await followUps.wakeDeferred(some);
        },
        (err, n) => log.warn('a batch of paper accounts failed; working them one by one', { accounts: n, err }),
      );
      const byAccount = new Map(ids.map((id, i) => [id, results[i]]));
      return accountIds.map((id) => byAccount.get(id));
    },
    { maxBatch: deps.batchSize, maxInFlight: deps.batchesInFlight },
  );

  const workAtBroker = async (accountId: string) => {
    const venue = await venues.venueFor(accountId);
    if (!venue) return;
    const handled = await workAccount(pool, venue, accountId, log, workOpts);
    metrics.ordersHandled.inc(handled);
    if (handled) await followUps.wakeDeferred([accountId]);
  };

  return async (job) =>
    (await venues.paperAmong([job.accountId])).length
      ? paperBatches.submit(job.accountId)
      : workAtBroker(job.accountId);
}
