import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

export interface ExecutorMetrics {
  registry: Registry;
  ordersHandled: Counter;
  brokerCalls: Histogram<'broker' | 'operation' | 'outcome'>;
  quoteEvaluation: Histogram;
  reconciled: Counter<'result'>;
  /** From the signal's receipt at the gateway to its ENTRY/CLOSE order accepted by the broker. */
  toAccepted: Histogram<'broker' | 'role'>;
  /** From the signal's receipt at the gateway to its ENTRY/CLOSE order completely filled. */
  toFilled: Histogram<'broker' | 'role'>;
}

/** Seconds, from a few milliseconds (paper, idle) to minutes (a resting limit order). */
const END_TO_END_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

export function createMetrics(withDefaults: boolean): ExecutorMetrics {
  const registry = new Registry();
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'utm_executor_' });
  return {
    registry,
    ordersHandled: new Counter({
      name: 'utm_executor_orders_handled_total',
      help: 'Orders placed, resolved or cancelled by the account executor',
      registers: [registry],
    }),
    brokerCalls: new Histogram({
      name: 'utm_broker_call_duration_seconds',
      help: 'Broker calls by broker (paper, alpaca), operation and outcome (ok or the error code)',
      labelNames: ['broker', 'operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    quoteEvaluation: new Histogram({
      name: 'utm_paper_quote_evaluation_seconds',
      help: 'Time to re-evaluate the resting paper orders of a symbol after a quote change',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    reconciled: new Counter({
      name: 'utm_reconciled_orders_total',
      help: 'Open orders compared with their broker, by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    toAccepted: new Histogram({
      name: 'utm_signal_to_broker_accepted_seconds',
      help: 'End to end: signal received by the gateway → its ENTRY/CLOSE order accepted by the broker',
      labelNames: ['broker', 'role'],
      buckets: END_TO_END_BUCKETS,
      registers: [registry],
    }),
    toFilled: new Histogram({
      name: 'utm_signal_to_fill_seconds',
      help: 'End to end: signal received by the gateway → its ENTRY/CLOSE order completely filled',
      labelNames: ['broker', 'role'],
      buckets: END_TO_END_BUCKETS,
      registers: [registry],
    }),
  };
}
