import { Queue } from 'bullmq';
import type { QueueConnection } from './jobs';
import { assertQueuePrefixFits } from './redis';

/** The job states counted per queue (completed jobs are pruned by age, so not a backlog). */
export const COUNTED_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'failed'] as const;
export type CountedState = (typeof COUNTED_STATES)[number];

export interface QueueSnapshot {
  queue: string;
  counts: Record<CountedState, number>;
  /** Seconds since the oldest job still waiting was created; 0 when none waits. */
  oldestWaitingAgeSeconds: number;
}

/**
 * Depth and age of the oldest waiting job of some queues, read through BullMQ on an existing
 * connection: one counts script and one job read per queue. Queue handles are made on first
 * use (creating one sends a command) and dropped after a failure, so that a handle whose
 * start-up check failed while Redis was away is never reused.
 */
export class QueueStats {
  private queues: Queue[] | undefined;

  constructor(
    private readonly conn: QueueConnection,
    private readonly names: readonly string[],
    private readonly now: () => number = Date.now,
  ) {
    assertQueuePrefixFits(conn.connection, conn.prefix);
  }

  async snapshot(): Promise<QueueSnapshot[]> {
    const queues = (this.queues ??= this.names.map((name) => {
      const q = new Queue(name, { connection: this.conn.connection, prefix: this.conn.prefix });
      q.on('error', () => undefined); // failures surface through snapshot()
      return q;
    }));
    try {
      return await Promise.all(queues.map((q) => this.one(q)));
    } catch (err) {
      this.queues = undefined;
      await Promise.allSettled(queues.map((q) => q.close()));
      throw err;
    }
  }

  private async one(q: Queue): Promise<QueueSnapshot> {
    const [counts, oldest] = await Promise.all([q.getJobCounts(...COUNTED_STATES), q.getJobs(['waiting'], 0, 0, true)]);
    const born = oldest[0]?.timestamp;
    return {
      queue: q.name,
      counts: Object.fromEntries(COUNTED_STATES.map((s) => [s, counts[s] ?? 0])) as Record<CountedState, number>,
      oldestWaitingAgeSeconds: born === undefined ? 0 : Math.max(0, (this.now() - born) / 1000),
    };
  }

  /** Closes the queue handles (the connection is the caller's). */
  async close(): Promise<void> {
    const queues = this.queues ?? [];
    this.queues = undefined;
    await Promise.all(queues.map((q) => q.close()));
  }
}
