import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ExecutorMetrics {
  registry: Registry;
  ordersHandled: Counter;
  brokerCalls: Histogram<'broker' | 'call' | 'outcome'>;
  quoteEvaluation: Histogram;
  reconciled: Counter<'result'>;
}

export function createMetrics(withDefaults: boolean): ExecutorMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'utm_executor_' });
  return {
    registry,
    ordersHandled: new Counter({ name: 'utm_executor_orders_handled_total', help: 'Orders placed, resolved or cancelled by the account executor', registers: [registry] }),
    brokerCalls: new Histogram({
      name: 'utm_broker_call_duration_seconds',
      help: 'Broker calls by broker, call and outcome',
      labelNames: ['broker', 'call', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    quoteEvaluation: new Histogram({
      name: 'utm_paper_quote_evaluation_seconds',
      help: 'Time to re-evaluate the resting paper orders of a symbol after a quote change',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    reconciled: new Counter({ name: 'utm_reconciled_orders_total', help: 'Open orders compared with their broker, by result', labelNames: ['result'], registers: [registry] }),
  };
}
