import { Queue, Worker, UnrecoverableError, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import { createAjv, createValidator, type JobDefinition, type ValidationResult } from '@utm/contracts';
import { assertQueuePrefixFits, type RedisConnection } from './redis';

export interface QueueConnection {
  connection: RedisConnection;
  /** BullMQ key prefix; tests use a fresh one each for isolation. Hash-tagged on a Redis Cluster. */
  prefix: string;
}

/** Transient failures retry with exponential backoff; rule refusals are thrown as final. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600, count: 10000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const ajv = createAjv();
const validators = new WeakMap<object, (data: unknown) => ValidationResult<unknown>>();

function validatorFor<T>(def: JobDefinition<T>): (data: unknown) => ValidationResult<T> {
  let v = validators.get(def.schema);
  if (!v) {
    v = createValidator(ajv.compile(def.schema)) as (data: unknown) => ValidationResult<unknown>;
    validators.set(def.schema, v);
  }
  return v as (data: unknown) => ValidationResult<T>;
}

export function assertPayload<T>(def: JobDefinition<T>, data: unknown): T {
  const result = validatorFor(def)(data);
  if (!result.ok) {
    throw new Error(
      `invalid ${def.queue} job payload: ${result.details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
    );
  }
  return result.value;
}

export interface ProducerOptions {
  jobOptions?: JobsOptions;
  /**
   * An add that has not completed after this long fails, so that a request path never hangs
   * on Redis (the job may or may not have been added; callers re-add with the same jobId).
   */
  timeoutMs?: number;
}

/**
 * A typed producer for one queue of the catalog: validates, then adds with jobId = row id.
 *
 * BullMQ checks the Redis version once when a Queue is created; if that check fails (Redis
 * dropped at that moment) the Queue stays unusable. The producer notices and builds a new
 * Queue on the same connection, so an outage at the wrong instant cannot wedge it.
 */
export class Producer<T> {
  private current: Queue;
  private readonly jobOptions: JobsOptions;
  private readonly timeoutMs: number;

  constructor(
    readonly def: JobDefinition<T>,
    private readonly conn: QueueConnection,
    opts: ProducerOptions = {},
  ) {
    assertQueuePrefixFits(conn.connection, conn.prefix);
    this.jobOptions = opts.jobOptions ?? DEFAULT_JOB_OPTIONS;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.current = this.newQueue();
  }

  get queue(): Queue {
    return this.current;
  }

  private newQueue(): Queue {
    const queue = new Queue(this.def.queue, { connection: this.conn.connection, prefix: this.conn.prefix });
    // Errors surface through add/addBulk; keep the emitter from crashing the process.
    queue.on('error', () => undefined);
    return queue;
  }

  /** The queue, rebuilt first if its initialisation failed for good. */
  private async usableQueue(): Promise<Queue> {
    const q = this.current;
    const failed = await Promise.race([
      q.waitUntilReady().then(
        () => false,
        () => true,
      ),
      new Promise<boolean>((resolve) => setImmediate(() => resolve(false))),
    ]);
    if (failed && this.current === q) {
      this.current = this.newQueue();
      q.close().catch(() => undefined); // the broken queue holds nothing; its connection is shared
    }
    return this.current;
  }

  private async withTimeout<R>(what: string, op: (q: Queue) => Promise<R>): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        this.usableQueue().then(op),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${what} on queue ${this.def.queue} timed out after ${this.timeoutMs} ms`)),
            this.timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async add(data: T): Promise<void> {
    const payload = assertPayload(this.def, data);
    await this.withTimeout('add', (q) =>
      q.add(this.def.name, payload, { ...this.jobOptions, jobId: this.def.jobId(payload) }),
    );
  }

  /** Adds the jobs (each a no-op while a job of its id exists); `delayMs`: run them no sooner than that. */
  async addBulk(items: T[], opts: { delayMs?: number } = {}): Promise<void> {
    if (!items.length) return;
    const delay = opts.delayMs ? { delay: opts.delayMs } : {};
    const jobs = items.map((data) => {
      const payload = assertPayload(this.def, data);
      return {
        name: this.def.name,
        data: payload,
        opts: { ...this.jobOptions, ...delay, jobId: this.def.jobId(payload) },
      };
    });
    await this.withTimeout('addBulk', (q) => q.addBulk(jobs));
  }

  /**
   * For rows that may lack their job: ids already waiting, active or delayed are left as
   * they are; an id whose job already finished (completed or failed) while its row still
   * waits is removed and added anew, so it cannot block the row forever; a missing one is
   * added. Returns how many were added.
   */
  async requeue(items: T[]): Promise<number> {
    if (!items.length) return 0;
    const missing = await this.withTimeout('requeue', async (q) => {
      const states = await Promise.all(items.map((d) => q.getJobState(this.def.jobId(d))));
      const finished = items.filter((_, i) => states[i] === 'completed' || states[i] === 'failed');
      await Promise.all(finished.map((d) => q.remove(this.def.jobId(d))));
      return items.filter((_, i) => states[i] === 'unknown' || states[i] === 'completed' || states[i] === 'failed');
    });
    await this.addBulk(missing);
    return missing.length;
  }

  async close(): Promise<void> {
    await this.current.close();
  }
}

/** `token` is the worker's lock on the job (for job.moveToDelayed from inside the handler). */
export type JobHandler<T> = (data: T, job: Job<T>, token: string | undefined) => Promise<void>;

/**
 * A typed consumer: a BullMQ Worker whose handler receives only validated payloads. A
 * payload that does not match the catalog is failed without retries. Refuses (throws) a
 * prefix that cannot hold a queue on a Redis Cluster.
 */
export function createConsumer<T>(
  def: JobDefinition<T>,
  handler: JobHandler<T>,
  conn: QueueConnection,
  opts: Omit<WorkerOptions, 'connection' | 'prefix'> = {},
): Worker<T> {
  assertQueuePrefixFits(conn.connection, conn.prefix);
  const worker = new Worker<T>(
    def.queue,
    async (job, token) => {
      let data: T;
      try {
        data = assertPayload(def, job.data);
      } catch (err) {
        throw new UnrecoverableError((err as Error).message);
      }
      await handler(data, job, token);
    },
    { ...opts, connection: conn.connection, prefix: conn.prefix },
  );
  return worker;
}
