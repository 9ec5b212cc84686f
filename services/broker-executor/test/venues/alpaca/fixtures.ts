import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import { AlpacaBroker, type AlpacaBrokerOptions } from '../../../src/venues/alpaca/alpaca-broker';
import type { BrokerOrderRequest } from '../../../src/venues/broker/types';
import type { AlpacaTestServer } from '@utm/testkit';

export function orderRequest(overrides: Partial<BrokerOrderRequest> = {}): BrokerOrderRequest {
  return {
    clientOrderId: randomUUID(),
    symbol: 'AAPL',
    side: 'BUY',
    type: 'MARKET',
    quantity: new Decimal('10'),
    limitPrice: null,
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    timeInForce: 'DAY',
    ...overrides,
  };
}

/** A broker against the test server whose waits are recorded instead of slept. */
export function brokerFor(
  server: AlpacaTestServer,
  opts: Partial<AlpacaBrokerOptions> = {},
): { broker: AlpacaBroker; waits: number[] } {
  const waits: number[] = [];
  const broker = new AlpacaBroker({
    baseUrl: server.url,
    credentials: { keyId: server.keyId, secretKey: server.secretKey },
    timeoutMs: 2000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...opts,
  });
  return { broker, waits };
}

/** Resolves once `check` holds, polling every 10 ms, or fails after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The promise's rejection, or a failure if it resolved. */
export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { code?: string; uncertain?: boolean; retryAfterMs?: number; opts?: { status?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
