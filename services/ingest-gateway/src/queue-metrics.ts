import type { RedisConnection } from '@utm/queue';
import type { Registry } from 'prom-client';
import { JOBS } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { registerQueueGauges } from '@utm/ops';
import { QueueStats } from '@utm/queue';

/**
 * Depth and age of the oldest waiting job of both queues on the gateway's /metrics, read on
 * its fail-fast client connection when scraped: the backlog stays visible when the workers
 * that drain it are the ones down.
 */
export function watchQueues(
  registry: Registry,
  redis: RedisConnection,
  prefix: string,
  log: Logger,
): { close(): Promise<void> } {
  const stats = new QueueStats({ connection: redis, prefix }, [JOBS.signals.queue, JOBS.orders.queue]);
  registerQueueGauges(registry, () => stats.snapshot(), {
    onError: (err, source) => log.warn('a metrics read failed; its gauges are empty for this scrape', { source, err }),
  });
  return { close: () => stats.close() };
}
