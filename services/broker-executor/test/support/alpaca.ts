import type { AlpacaTestServer } from '@utm/testkit';
import { AlpacaBroker, AlpacaUpdates } from '../../src/brokers/alpaca';
import type { BrokerConnection } from '../../src/worker/create-executor';

/**
 * An account's connection to the Alpaca contract server, as main's brokerFor makes it: the
 * REST adapter (its retry waits skipped) and the trade_updates stream with polling behind it.
 */
export function alpacaConnection(server: AlpacaTestServer, opts: { timeoutMs?: number; pollIntervalMs?: number } = {}): BrokerConnection {
  const common = { baseUrl: server.url, credentials: { keyId: server.keyId, secretKey: server.secretKey }, timeoutMs: opts.timeoutMs ?? 700 };
  return {
    broker: new AlpacaBroker({ ...common, sleep: async () => undefined }),
    updates: new AlpacaUpdates({ ...common, streamUrl: server.streamUrl, pollIntervalMs: opts.pollIntervalMs ?? 200 }),
  };
}
