import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { AlpacaBroker, AlpacaUpdates } from '../../src/brokers/alpaca';
import type { BrokerConnection } from '../../src/worker/create-executor';
import type { Stack } from './stack';

/**
 * An account's connection to the Alpaca contract server, as main's brokerFor makes it: the
 * REST adapter (its retry waits skipped) and the trade_updates stream with polling behind it.
 */
export function alpacaConnection(
  server: AlpacaTestServer,
  opts: { timeoutMs?: number; pollIntervalMs?: number } = {},
): BrokerConnection {
  const common = {
    baseUrl: server.url,
    credentials: { keyId: server.keyId, secretKey: server.secretKey },
    timeoutMs: opts.timeoutMs ?? 700,
  };
  return {
    broker: new AlpacaBroker({ ...common, sleep: async () => undefined }),
    updates: new AlpacaUpdates({ ...common, streamUrl: server.streamUrl, pollIntervalMs: opts.pollIntervalMs ?? 200 }),
  };
}

/** For the file's tests: a fresh Alpaca contract server (handed to `use`) and `s` started before, both stopped after. */
export function aroundAlpacaStack(s: Stack, use: (server: AlpacaTestServer) => void): void {
  let server: AlpacaTestServer | undefined;
  beforeAll(async () => {
    server = await startAlpacaServer();
    use(server);
    await s.start();
  });
  afterAll(async () => {
    await s.stop();
    await server?.close();
  });
}
