import { Counter, Gauge, type Registry } from 'prom-client';

const FAILURES = 'utm_metrics_sample_failures_total';

function failuresCounter(registry: Registry): Counter<'source'> {
  const existing = registry.getSingleMetric(FAILURES);
  if (existing) return existing as Counter<'source'>;
  return new Counter({
    name: FAILURES,
    help: 'Reads behind sampled gauges (queues, orders) that failed or took too long; those gauges are left empty for that scrape',
    labelNames: ['source'],
    registers: [registry],
  });
}

export interface SamplerOptions {
  /** A read younger than this is reused: several gauges, several scrapers, one read. */
  maxAgeMs?: number;
  /** A scrape waits at most this long for a read; a read still running is not started again. */
  timeoutMs?: number;
  /** Told of each failed or late read (for a log line); the read is counted either way. */
  onError?: (err: unknown, source: string) => void;
}

const LATE = Symbol('late');

interface Flight<T> {
  done: Promise<T | undefined>;
  late: boolean;
}

/**
 * One read of some external state (Redis, Postgres) shared by the gauges that show it, cheap
 * and bounded in time: at most one read in flight, reused for `maxAgeMs`, waited for at most
 * `timeoutMs` per scrape. A read that fails or runs late is counted once
 * (utm_metrics_sample_failures_total, visible from the next scrape) and its gauges are left
 * empty, so that one slow dependency never fails or stalls the whole /metrics answer.
 */
export class Sampler<T> {
  private last: { at: number; value: T } | undefined;
  private inFlight: Flight<T> | undefined;
  private readonly failures: Counter<'source'>;
  private readonly maxAgeMs: number;
  private readonly timeoutMs: number;
  private readonly onError: ((err: unknown, source: string) => void) | undefined;

  constructor(
    registry: Registry,
    readonly source: string,
    private readonly read: () => Promise<T>,
    opts: SamplerOptions = {},
  ) {
    this.failures = failuresCounter(registry);
    this.failures.inc({ source }, 0);
    this.maxAgeMs = opts.maxAgeMs ?? 2000;
    this.timeoutMs = opts.timeoutMs ?? 1000;
    this.onError = opts.onError;
  }

  private fail(err: unknown): void {
    this.failures.inc({ source: this.source });
    this.onError?.(err, this.source);
  }

  private start(): Flight<T> {
    const flight: Flight<T> = { late: false, done: Promise.resolve(undefined) };
    flight.done = this.read()
      .then(
        (value) => {
          this.last = { at: Date.now(), value };
          return value;
        },
        (err: unknown) => {
          if (!flight.late) this.fail(err);
          return undefined;
        },
      )
      .finally(() => {
        if (this.inFlight === flight) this.inFlight = undefined;
      });
    return flight;
  }

  /** The latest value, or undefined when the read failed or did not answer in time. */
  async get(): Promise<T | undefined> {
    if (this.last && Date.now() - this.last.at < this.maxAgeMs) return this.last.value;
    const flight = (this.inFlight ??= this.start());
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      flight.done,
      new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), this.timeoutMs))),
    ]);
    clearTimeout(timer);
    if (result !== LATE) return result;
    if (!flight.late) {
      flight.late = true;
      this.fail(new Error(`${this.source}: no answer in ${this.timeoutMs} ms`));
    }
    return undefined;
  }
}

/** What a queue snapshot must offer (QueueStats of @utm/queue gives it). */
export interface QueueSnapshotLike {
  queue: string;
  counts: Record<string, number>;
  oldestWaitingAgeSeconds: number;
}

/**
 * `utm_queue_jobs{queue,state}` and `utm_queue_oldest_waiting_age_seconds{queue}`, read when
 * scraped. Every service exports them for both queues (the same values: aggregate with max),
 * so the backlog stays visible when its consumer is the one that is down.
 */
export function registerQueueGauges(
  registry: Registry,
  snapshot: () => Promise<QueueSnapshotLike[]>,
  opts?: SamplerOptions,
): Sampler<QueueSnapshotLike[]> {
  const sampler = new Sampler(registry, 'queues', snapshot, opts);
  new Gauge({
    name: 'utm_queue_jobs',
    help: 'Jobs per queue and state (waiting, prioritized, active, delayed, waiting-children, failed)',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await sampler.get()) ?? [])
        for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
    },
  });
  new Gauge({
    name: 'utm_queue_oldest_waiting_age_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits): how long the head of the line has waited',
    labelNames: ['queue'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await sampler.get()) ?? []) this.set({ queue: q.queue }, q.oldestWaitingAgeSeconds);
    },
  });
  return sampler;
}

/** `utm_orders{status}`: orders by status, from the database, read when scraped. */
export function registerOrderStatusGauge(
  registry: Registry,
  counts: () => Promise<Record<string, number>>,
  opts?: SamplerOptions,
): Sampler<Record<string, number>> {
  const sampler = new Sampler(registry, 'orders', counts, { maxAgeMs: 5000, timeoutMs: 2000, ...opts });
  new Gauge({
    name: 'utm_orders',
    help: 'Orders by status (every order in the database)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const [status, n] of Object.entries((await sampler.get()) ?? {})) this.set({ status }, n);
    },
  });
  return sampler;
}
