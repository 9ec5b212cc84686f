import { AlpacaBroker, AlpacaUpdates } from '../../src/venues/alpaca';
import { startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';
import { Stack } from '../support/stack';
import { opsEndpoint } from './support';

/** The executor against the local Alpaca contract server: its HTTP calls are timed by broker and operation. */
describe('broker metrics on an Alpaca account', () => {
  let server: AlpacaTestServer;
  const s = new Stack({
    brokerFor: () => {
      const common = {
        baseUrl: server.url,
        credentials: { keyId: server.keyId, secretKey: server.secretKey },
        timeoutMs: 2000,
      };
      return {
        broker: new AlpacaBroker({ ...common, sleep: async () => undefined }),
        updates: new AlpacaUpdates({ ...common, streamUrl: server.streamUrl, pollIntervalMs: 200 }),
      };
    },
  });
  let ops: Awaited<ReturnType<typeof opsEndpoint>>;
  beforeAll(async () => {
    server = await startAlpacaServer();
    await s.start();
    ops = await opsEndpoint(s.executor.metrics.registry);
  });
  afterAll(async () => {
    await ops?.close();
    await s.stop();
    await server.close();
  });

  it('times placements (ok and refused) and measures the signal to Alpaca acceptance and fill', async () => {
    const f = await s.fixture({ broker: 'alpaca', cash: '100000' });
    await s.quote('ALP', '50');
    const id = await s.send(f, { symbol: 'ALP', action: 'openLong', quantity: 4 });
    const submitted = await s.until(id, ['SUBMITTED']);
    server.fill(server.order(submitted.orders[0]?.id ?? '').id, '50.1');
    await s.until(id, ['FILLED']);

    server.fault('POST', '/v2/orders', {
      kind: 'status',
      status: 403,
      body: { code: 40310000, message: 'insufficient buying power' },
    });
    const refused = await s.send(f, { symbol: 'ALP', action: 'openLong', quantity: 1 });
    await s.until(refused, ['FAILED']);

    const m = await ops.scrape();
    expect(
      m.value('utm_broker_call_duration_seconds_count', { broker: 'alpaca', operation: 'place', outcome: 'ok' }),
    ).toBe(1);
    expect(
      m.value('utm_broker_call_duration_seconds_count', {
        broker: 'alpaca',
        operation: 'place',
        outcome: 'INSUFFICIENT_BUYING_POWER',
      }),
    ).toBe(1);
    expect(m.value('utm_signal_to_broker_accepted_seconds_count', { broker: 'alpaca', role: 'ENTRY' })).toBe(1);
    expect(m.value('utm_signal_to_fill_seconds_count', { broker: 'alpaca', role: 'ENTRY' })).toBe(1);
    expect(m.value('utm_signal_to_broker_accepted_seconds_count', { broker: 'paper', role: 'ENTRY' })).toBeUndefined();
    expect(m.value('utm_orders', { status: 'REJECTED' })).toBe(1);
    expect(m.value('utm_orders', { status: 'FILLED' })).toBe(1);
  });
});
