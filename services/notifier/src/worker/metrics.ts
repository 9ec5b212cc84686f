import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export interface NotifierMetrics {
  registry: Registry;
  attempts: Counter<'kind' | 'outcome'>;
  attemptDuration: Histogram<'kind'>;
  /** From the fact's record (just before its commit) to the endpoint's 2xx. */
  deliveryLatency: Histogram<'kind'>;
  deliveriesCreated: Counter;
  producerLag: Gauge<'source'>;
}

export function createMetrics(withDefaults: boolean): NotifierMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'utm_notifier_' });
  return {
    registry,
    attempts: new Counter({
      name: 'utm_notification_attempts_total',
      help: 'Delivery attempts by endpoint kind and outcome (delivered, retry, failed, gone)',
      labelNames: ['kind', 'outcome'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'utm_notification_attempt_duration_seconds',
      help: 'One delivery attempt: connect, request, answer',
      labelNames: ['kind'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'utm_notification_delivery_seconds',
      help: 'From the fact being recorded to its delivery answered 2xx (first attempts and retries)',
      labelNames: ['kind'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 5, 30, 300, 3600],
      registers: [registry],
    }),
    deliveriesCreated: new Counter({
      name: 'utm_notification_deliveries_created_total',
      help: 'Deliveries written from recorded facts',
      registers: [registry],
    }),
    producerLag: new Gauge({
      name: 'utm_notification_producer_facts_behind',
      help: 'Facts read in the last pass that filled a whole batch (0 when caught up)',
      labelNames: ['source'],
      registers: [registry],
    }),
  };
}
