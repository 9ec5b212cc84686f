import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ProcessorMetrics {
  registry: Registry;
  signalsDecided: Counter<'outcome'>;
  ordersCreated: Counter;
  jobDuration: Histogram;
}

export function createMetrics(withDefaults: boolean): ProcessorMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'utm_processor_' });
  return {
    registry,
    signalsDecided: new Counter({
      name: 'utm_signals_decided_total',
      help: 'Signals decided by the processor: accept or reject',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    ordersCreated: new Counter({
      name: 'utm_orders_created_total',
      help: 'Orders created by the processor',
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'utm_processor_job_duration_seconds',
      help: 'Time to handle one batch of signals jobs (lock their accounts, decide, commit, enqueue)',
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers: [registry],
    }),
  };
}
