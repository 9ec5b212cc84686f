import { Queue, Worker, UnrecoverableError, type Job, type JobsOptions, type WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { createAjv, createValidator, type JobDefinition, type ValidationResult } from '@utm/contracts';

export interface QueueConnection {
  connection: Redis;
  /** BullMQ key prefix; tests use a fresh one each for isolation. */
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
    throw new Error(`invalid ${def.queue} job payload: ${result.details.map((d) => `${d.field} ${d.message}`).join('; ')}`);
  }
  return result.value;
}

/** A typed producer for one queue of the catalog: validates, then adds with jobId = row id. */
export class Producer<T> {
  readonly queue: Queue;

  constructor(
    readonly def: JobDefinition<T>,
    conn: QueueConnection,
    private readonly jobOptions: JobsOptions = DEFAULT_JOB_OPTIONS,
  ) {
    this.queue = new Queue(def.queue, { connection: conn.connection, prefix: conn.prefix, skipWaitingForReady: true });
    // Errors surface through add/addBulk; keep the emitter from crashing the process.
    this.queue.on('error', () => undefined);
  }

  async add(data: T): Promise<void> {
    const payload = assertPayload(this.def, data);
    await this.queue.add(this.def.name, payload, { ...this.jobOptions, jobId: this.def.jobId(payload) });
  }

  async addBulk(items: T[]): Promise<void> {
    if (!items.length) return;
    const jobs = items.map((data) => {
      const payload = assertPayload(this.def, data);
      return { name: this.def.name, data: payload, opts: { ...this.jobOptions, jobId: this.def.jobId(payload) } };
    });
    await this.queue.addBulk(jobs);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}

export type JobHandler<T> = (data: T, job: Job<T>) => Promise<void>;

/**
 * A typed consumer: a BullMQ Worker whose handler receives only validated payloads. A
 * payload that does not match the catalog is failed without retries.
 */
export function createConsumer<T>(
  def: JobDefinition<T>,
  handler: JobHandler<T>,
  conn: QueueConnection,
  opts: Omit<WorkerOptions, 'connection' | 'prefix'> = {},
): Worker<T> {
  const worker = new Worker<T>(
    def.queue,
    async (job) => {
      let data: T;
      try {
        data = assertPayload(def, job.data);
      } catch (err) {
        throw new UnrecoverableError((err as Error).message);
      }
      await handler(data, job);
    },
    { ...opts, connection: conn.connection, prefix: conn.prefix },
  );
  return worker;
}
