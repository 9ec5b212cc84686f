import type { OrderJob } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { Batcher, runSplittingOnFailure } from '@utm/queue';
import type { AccountVenues } from './account-venues';
import type { FollowUps } from './follow-ups';
import type { ExecutorMetrics } from './metrics';
import type { Venue } from '../venues/venue';

export interface OrderJobsDeps {
  venues: AccountVenues;
  followUps: FollowUps;
  metrics: ExecutorMetrics;
  log: Logger;
  /** Jobs worked together at most: their paper accounts in one transaction. */
  batchSize: number;
  /** Paper batches under way at once. */
  batchesInFlight: number;
}

/**
 * What an order job does: work its account on the account's venue, then wake the account's
 * deferred signals. The accounts of a venue that works them together (the paper engine) are
 * batched — the accounts of the jobs taken together, in one transaction (split by account if it
 * fails); an account at an external broker is worked on its own, outside the batches, so that
 * its broker's round trips never hold up the paper accounts of a batch.
 */
export function orderJobHandler(deps: OrderJobsDeps): (job: OrderJob) => Promise<void> {
  const { venues, followUps, metrics, log } = deps;
  const work = async (venue: Venue, accountIds: string[]) => {
    const handled = await venue.work(accountIds);
    metrics.ordersHandled.inc(handled);
    if (handled) await followUps.wakeDeferred(accountIds);
  };
  const batchers = new Map<Venue, Batcher<string, void>>();
  const batcherOf = (venue: Venue) => {
    const existing = batchers.get(venue);
    if (existing) return existing;
    const batcher = new Batcher<string, void>(
      async (accountIds) => {
        const ids = [...new Set(accountIds)];
        const results = await runSplittingOnFailure(
          ids,
          (id) => id,
          (some) => work(venue, some),
          (err, n) =>
            log.warn(`a batch of ${venue.name} accounts failed; working them one by one`, { accounts: n, err }),
        );
        const byAccount = new Map(ids.map((id, i) => [id, results[i]]));
        return accountIds.map((id) => byAccount.get(id));
      },
      { maxBatch: deps.batchSize, maxInFlight: deps.batchesInFlight },
    );
    batchers.set(venue, batcher);
    return batcher;
  };

  return async (job) => {
    const venue = await venues.venueOf(job.accountId);
    if (!venue) return;
    if (venue.together) await batcherOf(venue).submit(job.accountId);
    else await work(venue, [job.accountId]);
  };
}
