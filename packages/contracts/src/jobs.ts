import type { JSONSchemaType } from 'ajv';

/**
 * The job catalog: every queue of the platform, its frozen name, its payload schema and the
 * payload type. Producers validate before adding, consumers validate before handling.
 * Queue names are frozen once released: renaming one strands the jobs already in Redis.
 *
 * Jobs carry ids only; Postgres holds the truth (the signal, the order) and every handler
 * re-reads it, so a redelivered or re-enqueued job is harmless.
 */
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * A signal accepted by the gateway, for the signal-processor. jobId = signalId.
 *
 * The same job asks the processor to look at the signal's account again: a signal deferred
 * while earlier orders of its account are worked (the processor's settlement rule) is
 * re-checked by the processor itself (`recheck`: how many re-checks came before, which sets
 * the delay) and woken by the executor when it has worked the account's orders (`wake`: any
 * token making the job id unique). Those jobs' ids are `signalId.wake`.
 */
export interface SignalJob {
  signalId: string;
  accountId: string;
  wake?: string;
  recheck?: number;
}

export const signalJobSchema: JSONSchemaType<SignalJob> = {
  $id: 'https://schemas.utm.dev/jobs/signal.json',
  type: 'object',
  additionalProperties: false,
  required: ['signalId', 'accountId'],
  properties: {
    signalId: { type: 'string', pattern: UUID_PATTERN },
    accountId: { type: 'string', pattern: UUID_PATTERN },
    wake: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9-]{1,40}$' },
    recheck: { type: 'integer', nullable: true, minimum: 0, maximum: 100000 },
  },
};

/**
 * An order row to place, cancel or track, for the broker-executor. jobId = orderId. A job works
 * its whole account; a follow-up request to work it again (new legs, a cancel, what waited on an
 * order that ended) carries `wake`, a token making its id `orderId.wake` unique, so that it is
 * never swallowed by a job of the same order that is finishing (and has already looked).
 */
export interface OrderJob {
  orderId: string;
  accountId: string;
  signalId: string;
  wake?: string;
}

export const orderJobSchema: JSONSchemaType<OrderJob> = {
  $id: 'https://schemas.utm.dev/jobs/order.json',
  type: 'object',
  additionalProperties: false,
  required: ['orderId', 'accountId', 'signalId'],
  properties: {
    orderId: { type: 'string', pattern: UUID_PATTERN },
    accountId: { type: 'string', pattern: UUID_PATTERN },
    signalId: { type: 'string', pattern: UUID_PATTERN },
    wake: { type: 'string', nullable: true, pattern: '^[A-Za-z0-9-]{1,40}$' },
  },
};

export interface JobDefinition<T> {
  /** The BullMQ queue name. Frozen. */
  queue: string;
  /** The job name inside the queue. */
  name: string;
  schema: JSONSchemaType<T>;
  /** The job id for a payload: the row id, so adding twice is a no-op while the job exists. */
  jobId(data: T): string;
}

export interface JobCatalog {
  signals: JobDefinition<SignalJob>;
  orders: JobDefinition<OrderJob>;
}

export const JOBS: JobCatalog = {
  signals: {
    queue: 'signals',
    name: 'process-signal',
    schema: signalJobSchema,
    jobId: (d: SignalJob) => (d.wake ? `${d.signalId}.${d.wake}` : d.signalId),
  },
  orders: {
    queue: 'orders',
    name: 'execute-order',
    schema: orderJobSchema,
    jobId: (d: OrderJob) => (d.wake ? `${d.orderId}.${d.wake}` : d.orderId),
  },
};

export const UUID_RE = new RegExp(UUID_PATTERN);

export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}
