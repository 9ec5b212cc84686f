import type { Histogram } from 'prom-client';
import { AppError } from '@utm/contracts';
import type { Broker, BrokerReplaceRequest } from './types';

type CallHistogram = Histogram<'broker' | 'operation' | 'outcome'>;

const outcomeOf = (err: unknown): string => (err instanceof AppError ? err.code : 'error');

async function timed<T>(
  histogram: CallHistogram,
  broker: string,
  operation: string,
  call: () => Promise<T>,
): Promise<T> {
  const end = histogram.startTimer({ broker, operation });
  try {
    const result = await call();
    end({ outcome: 'ok' });
    return result;
  } catch (err) {
    end({ outcome: outcomeOf(err) });
    throw err;
  }
}

/** An external broker whose every call is timed into utm_broker_call_duration_seconds. */
export function instrumentBroker(broker: Broker, histogram: CallHistogram): Broker {
  const t = <T>(operation: string, call: () => Promise<T>) => timed(histogram, broker.name, operation, call);
  const replace = broker.replace?.bind(broker);
  const instrument = broker.instrument?.bind(broker);
  const sellable = broker.sellable?.bind(broker);
  return {
    name: broker.name,
    capabilities: broker.capabilities,
    place: (req) => t('place', () => broker.place(req)),
    ...(replace ? { replace: (id: string, req: BrokerReplaceRequest) => t('replace', () => replace(id, req)) } : {}),
    cancel: (id) => t('cancel', () => broker.cancel(id)),
    findByClientOrderId: (id) => t('find', () => broker.findByClientOrderId(id)),
    openOrders: () => t('open_orders', () => broker.openOrders()),
    snapshot: () => t('snapshot', () => broker.snapshot()),
    ...(instrument ? { instrument: (symbol: string) => t('instrument', () => instrument(symbol)) } : {}),
    ...(sellable ? { sellable: (symbol: string) => t('sellable', () => sellable(symbol)) } : {}),
  };
}
