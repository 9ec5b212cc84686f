import { Registry, Counter } from 'prom-client';
import { startOpsServer } from '../src';

describe('ops server', () => {
  it('answers healthz, readyz by its checks and draining state, and metrics', async () => {
    const registry = new Registry();
    new Counter({ name: 'utm_test_total', help: 'x', registers: [registry] }).inc(3);
    let redisUp = true;
    let draining = false;
    const ops = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      checks: { postgres: async () => 1, redis: async () => (redisUp ? 1 : Promise.reject(new Error('down'))) },
      isShuttingDown: () => draining,
    });
    const base = `http://127.0.0.1:${ops.port}`;
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      let r = await fetch(`${base}/readyz`);
      expect(r.status).toBe(200);
      expect(await r.json()).toEqual({ status: 'ready', checks: { postgres: 'up', redis: 'up' } });
      redisUp = false;
      r = await fetch(`${base}/readyz`);
      expect(r.status).toBe(503);
      expect(await r.json()).toEqual({ status: 'unavailable', checks: { postgres: 'up', redis: 'down' } });
      redisUp = true;
      draining = true;
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      expect(await (await fetch(`${base}/metrics`)).text()).toContain('utm_test_total 3');
      expect((await fetch(`${base}/nope`)).status).toBe(404);
    } finally {
      await ops.close();
    }
  });
});
