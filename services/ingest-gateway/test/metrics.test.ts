import { scrapeMetrics } from '@utm/testkit';
import { signalBody, startGateway, type TestGateway } from './support/gateway';

/**
 * The gateway's /metrics over HTTP after real requests: signals received by outcome code,
 * ingest latency, and the queue gauges read from BullMQ under this test's own prefix (no
 * processor runs here, so accepted signals wait in the signals queue).
 */
describe('gateway metrics', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('counts signals by outcome, times ingest, and shows the waiting jobs and their age', async () => {
    const f = await gw.fixture();
    const before = Date.now();
    for (let i = 0; i < 2; i++)
      expect((await gw.post('/api/v1/signals/ingest', signalBody(f.accountId), { 'x-api-key': f.apiKey })).status).toBe(
        202,
      );
    expect(
      (await gw.post('/api/v1/signals/ingest', signalBody(f.accountId, { symbol: 'aapl' }), { 'x-api-key': f.apiKey }))
        .status,
    ).toBe(400);
    expect(
      (await gw.post('/api/v1/signals/ingest', signalBody(f.accountId), { 'x-api-key': 'utm_paper_nope' })).status,
    ).toBe(401);
    await new Promise((r) => setTimeout(r, 1100));

    const m = await scrapeMetrics(gw.url);
    expect(m.value('utm_signals_received_total', { outcome: 'accepted' })).toBe(2);
    expect(m.value('utm_signals_received_total', { outcome: 'VALIDATION_ERROR' })).toBe(1);
    expect(m.value('utm_signals_received_total', { outcome: 'INVALID_API_KEY' })).toBe(1);
    expect(m.value('utm_ingest_duration_seconds_count', { outcome: 'accepted' })).toBe(2);
    expect(m.value('utm_ingest_duration_seconds_bucket', { outcome: 'accepted', le: '+Inf' })).toBe(2);
    expect(m.value('utm_ingest_duration_seconds_sum', { outcome: 'accepted' })).toBeGreaterThan(0);

    expect(m.value('utm_queue_jobs', { queue: 'signals', state: 'waiting' })).toBe(2);
    expect(m.value('utm_queue_jobs', { queue: 'signals', state: 'failed' })).toBe(0);
    expect(m.value('utm_queue_jobs', { queue: 'orders', state: 'waiting' })).toBe(0);
    const age = m.value('utm_queue_oldest_waiting_age_seconds', { queue: 'signals' }) ?? -1;
    expect(age).toBeGreaterThanOrEqual(1);
    expect(age).toBeLessThanOrEqual((Date.now() - before) / 1000 + 1);
    expect(m.value('utm_queue_oldest_waiting_age_seconds', { queue: 'orders' })).toBe(0);
    expect(m.value('utm_metrics_sample_failures_total', { source: 'queues' })).toBe(0);
  });
});
