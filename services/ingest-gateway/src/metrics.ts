import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** The gateway's Prometheus metrics, on a registry of its own (one per app instance). */
export interface GatewayMetrics {
  registry: Registry;
  signalsReceived: Counter<'outcome'>;
  ingestDuration: Histogram<'outcome'>;
  enqueueFailures: Counter;
  batchSize: Histogram;
  outboxSwept: Counter;
}

export function createMetrics(withDefaults = true): GatewayMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'utm_gateway_' });
  return {
    registry,
    signalsReceived: new Counter({
      name: 'utm_signals_received_total',
      help: 'Ingest requests by outcome: accepted, duplicate, or the error code',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ingestDuration: new Histogram({
      name: 'utm_ingest_duration_seconds',
      help: 'Time from request to response on POST /api/v1/signals/ingest',
      labelNames: ['outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'utm_ingest_batch_size',
      help: 'Signals written per multi-row INSERT (requests in flight in one event-loop turn)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    enqueueFailures: new Counter({
      name: 'utm_ingest_enqueue_failures_total',
      help: 'Accepted signals whose job could not be added at once (left to the outbox sweeper)',
      registers: [registry],
    }),
    outboxSwept: new Counter({
      name: 'utm_outbox_swept_total',
      help: 'Signals re-enqueued by the outbox sweeper (still PENDING after the grace period)',
      registers: [registry],
    }),
  };
}
