import { request } from 'node:http';
import { startGateway, type TestGateway } from './support/gateway';

/**
 * The bound on the HTTP drain (the happy path, a request in flight finishing while new ones
 * get 503, is proven on a real process in system-tests/test/graceful-shutdown.test.ts): a
 * client that never finishes its request cannot hold the shutdown past `drainTimeoutMs`.
 */
describe('gateway close(): the drain is bounded', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(async () => {
    await gw.close();
  });

  it('a request whose body never arrives is cut off after drainTimeoutMs, and nothing is stored', async () => {
    const f = await gw.fixture();
    const req = request(`${gw.url}/api/v1/signals/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': f.apiKey, 'content-length': '1000' },
    });
    const outcome = new Promise<string>((resolve) => {
      req.on('response', (res) => resolve(`answered ${res.statusCode}`));
      req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });
    req.write(`{"symbol":"AAPL","action":"openLong","accountId":"${f.accountId}",`);
    await new Promise((r) => setTimeout(r, 300));

    const started = Date.now();
    await gw.gateway.close({ drainTimeoutMs: 500 });
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(5000);
    expect(await outcome).toMatch(/ECONNRESET|socket hang up/);
    expect(await gw.db.prisma.signal.count({ where: { accountId: f.accountId } })).toBe(0);
  });
});
