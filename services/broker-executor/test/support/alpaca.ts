import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { AlpacaBroker, AlpacaUpdates, RequestBudget } from '../../src/venues/alpaca';
import type { BrokerConnection } from '../../src/worker/create-executor';
import type { Stack } from './stack';

const budgets = new WeakMap<AlpacaTestServer, RequestBudget>();

/** One budget per API key, as Alpaca counts: the test accounts all use the server's one key. */
function budgetOf(server: AlpacaTestServer): RequestBudget {
  const found = budgets.get(server);
  if (found) return found;
  const made = new RequestBudget({ perMinute: server.window.limit.requests, windowMs: server.window.limit.windowMs });
  budgets.set(server, made);
  return made;
}

/**
 * An account's connection to the Alpaca contract server, as main's brokerFor makes it: the
 * REST adapter (its retry waits skipped), the same account for reconciliation's reads, and the
 * trade_updates stream with polling behind it, all sharing one request budget.
 */
export function alpacaConnection(
  server: AlpacaTestServer,
  opts: { timeoutMs?: number; pollIntervalMs?: number; budget?: RequestBudget } = {},
): BrokerConnection {
  const budget = opts.budget ?? budgetOf(server);
  const common = {
    baseUrl: server.url,
    credentials: { keyId: server.keyId, secretKey: server.secretKey },
    timeoutMs: opts.timeoutMs ?? 700,
    budget,
  };
  const broker = new AlpacaBroker({ ...common, sleep: async () => undefined });
  return {
    broker,
    background: broker.withPriority('reconcile'),
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
