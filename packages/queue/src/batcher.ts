import type { Job, WorkerOptions } from 'bullmq';
import type { JobDefinition } from '@utm/contracts';
import { createConsumer, type QueueConnection } from './jobs';

export interface BatcherOptions {
  /** Items in one batch at most. */
  maxBatch: number;
  /** Batches running at once at most; items submitted meanwhile wait for the next one. */
  maxInFlight: number;
}

/** One result per item, in order: a value, or the Error that fails only that item. */
export type BatchRun<T, R> = (items: T[]) => Promise<(R | Error)[]>;

interface Waiting<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

/**
 * Natural batching (group commit): items submitted while the batches in flight run wait and
 * leave together in the next one. Under light load a batch holds one item and leaves at once
 * (on the next turn of the event loop); under heavy load batches grow, and the fixed cost of a
 * batch (a transaction, a lock round, a round trip) is shared by everything in it.
 */
export class Batcher<T, R> {
  private readonly waiting: Waiting<T, R>[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly run: BatchRun<T, R>,
    private readonly opts: BatcherOptions,
  ) {
    if (opts.maxBatch < 1 || opts.maxInFlight < 1)
      throw new Error('Batcher: maxBatch and maxInFlight must be at least 1');
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch, and batches running. */
  get load(): { waiting: number; running: number } {
    return { waiting: this.waiting.length, running: this.running };
  }

  private schedule(): void {
    if (this.scheduled || this.running >= this.opts.maxInFlight || !this.waiting.length) return;
    this.scheduled = true;
    // setImmediate, not a microtask: the jobs that arrive in the same I/O turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.opts.maxInFlight && this.waiting.length)
        void this.execute(this.waiting.splice(0, this.opts.maxBatch));
    });
  }

  private async execute(batch: Waiting<T, R>[]): Promise<void> {
    this.running++;
    try {
      const results = await this.run(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const r = results[i];
        if (i >= results.length)
          w.reject(new Error(`batch returned ${results.length} results for ${batch.length} items`));
        else if (r instanceof Error) w.reject(r);
        else w.resolve(r as R);
      });
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.running--;
      this.schedule();
    }
  }
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/**
 * Runs a batch whole; when that fails and the batch spans several groups (accounts), runs
 * each group again on its own, at once, so that one group's trouble (a lock held elsewhere, a
 * row that cannot be written) fails only its own items. Per item: undefined, or its Error.
 */
export async function runSplittingOnFailure<T>(
  items: T[],
  groupOf: (item: T) => string,
  run: (items: T[]) => Promise<void>,
  onSplit: (err: unknown, groups: number) => void,
): Promise<(Error | undefined)[]> {
  try {
    await run(items);
    return items.map(() => undefined);
  } catch (err) {
    const groups = [...new Set(items.map(groupOf))];
    if (groups.length === 1) throw err;
    onSplit(err, groups.length);
    const outcomes = await Promise.all(
      groups.map((g) => run(items.filter((i) => groupOf(i) === g)).then(() => undefined, asError)),
    );
    const byGroup = new Map(groups.map((g, i) => [g, outcomes[i]]));
    return items.map((i) => byGroup.get(groupOf(i)));
  }
}

export interface BatchConsumerOptions
  extends BatcherOptions, Omit<WorkerOptions, 'connection' | 'prefix' | 'concurrency'> {}

/**
 * A typed consumer whose jobs are handled in batches: the worker keeps maxBatch × maxInFlight
 * jobs active, each job's payload is validated (createConsumer) and waits for its batch, and
 * each job completes or fails with its own item's result (a failed item is retried alone, with
 * the job's backoff).
 */
export function createBatchConsumer<T, R>(
  def: JobDefinition<T>,
  run: BatchRun<{ data: T; job: Job<T> }, R>,
  conn: QueueConnection,
  opts: BatchConsumerOptions,
) {
  const { maxBatch, maxInFlight, ...workerOpts } = opts;
  const batcher = new Batcher(run, { maxBatch, maxInFlight });
  const worker = createConsumer(def, async (data, job) => void (await batcher.submit({ data, job })), conn, {
    ...workerOpts,
    concurrency: maxBatch * maxInFlight,
  });
  return { worker, batcher };
}
