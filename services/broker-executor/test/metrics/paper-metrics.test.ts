import { scrapeMetrics, type Scrape } from '@utm/testkit';
import { Stack } from '../support/stack';
import { opsEndpoint } from './support';

/**
 * The three services in-process on real Postgres and Redis, paper trading: after real signals
 * (a market entry, a resting limit entry filled by a later quote, a close, a refused close),
 * each service's /metrics shows the work with the right labels.
 */
describe('pipeline metrics on the paper broker', () => {
  const s = new Stack();
  let processorOps: Awaited<ReturnType<typeof opsEndpoint>>;
  let executorOps: Awaited<ReturnType<typeof opsEndpoint>>;
  beforeAll(async () => {
    await s.start();
    processorOps = await opsEndpoint(s.processor.metrics.registry);
    executorOps = await opsEndpoint(s.executor.metrics.registry);
  });
  afterAll(async () => {
    await processorOps?.close();
    await executorOps?.close();
    await s.stop();
  });

  it('counts decisions and broker calls, measures end-to-end latency to acceptance and to fill, shows orders by status and the queues', async () => {
    const f = await s.fixture({ cash: '100000' });
    await s.quote('MET', '100');
    const market = await s.send(f, { symbol: 'MET', action: 'openLong', quantity: 10 });
    await s.until(market, ['FILLED']);
    const limit = await s.send(f, {
      symbol: 'MET',
      action: 'openLong',
      quantity: 5,
      orderType: 'LIMIT',
      limitPrice: 90,
    });
    await s.until(limit, ['SUBMITTED']);

    let ex = await executorOps.scrape();
    const accepted = (role: string, m: Scrape = ex) =>
      m.value('utm_signal_to_broker_accepted_seconds_count', { broker: 'paper', role });
    const filled = (role: string, m: Scrape = ex) =>
      m.value('utm_signal_to_fill_seconds_count', { broker: 'paper', role });
    expect(accepted('ENTRY')).toBe(2);
    expect(filled('ENTRY')).toBe(1);
    expect(ex.value('utm_orders', { status: 'ACCEPTED' })).toBe(1);
    expect(ex.value('utm_orders', { status: 'FILLED' })).toBe(1);
    expect(ex.value('utm_orders', { status: 'NEW' })).toBe(0);

    // The limit order rests until the market comes to it: its latency to fill includes that wait.
    await new Promise((r) => setTimeout(r, 500));
    await s.quote('MET', '89');
    await s.until(limit, ['FILLED']);
    const close = await s.send(f, { symbol: 'MET', action: 'closeLong' });
    await s.until(close, ['FILLED']);
    const refused = await s.send(f, { symbol: 'MET', action: 'closeLong' });
    await s.until(refused, ['REJECTED']);

    ex = await s.waitFor(
      'orders by status refreshed',
      () => executorOps.scrape(),
      (m) => m.value('utm_orders', { status: 'FILLED' }) === 3,
      15000,
    );
    expect(accepted('ENTRY')).toBe(2);
    expect(filled('ENTRY')).toBe(2);
    expect(accepted('CLOSE')).toBe(1);
    expect(filled('CLOSE')).toBe(1);
    expect(ex.value('utm_signal_to_fill_seconds_sum', { broker: 'paper', role: 'ENTRY' })).toBeGreaterThanOrEqual(0.5);
    expect(ex.value('utm_signal_to_fill_seconds_bucket', { broker: 'paper', role: 'ENTRY', le: '0.01' })).toBeLessThan(
      2,
    );
    expect(
      ex.value('utm_broker_call_duration_seconds_count', { broker: 'paper', operation: 'place', outcome: 'ok' }),
    ).toBe(3);
    expect(ex.value('utm_orders', { status: 'ACCEPTED' })).toBe(0);
    expect(ex.value('utm_orders', { status: 'REJECTED' })).toBe(0);
    for (const queue of ['signals', 'orders']) {
      expect(ex.value('utm_queue_jobs', { queue, state: 'waiting' })).toBe(0);
      expect(ex.value('utm_queue_jobs', { queue, state: 'failed' })).toBe(0);
      expect(ex.value('utm_queue_oldest_waiting_age_seconds', { queue })).toBe(0);
    }

    const pr = await processorOps.scrape();
    expect(pr.value('utm_signals_decided_total', { outcome: 'accept' })).toBe(3);
    expect(pr.value('utm_signals_decided_total', { outcome: 'reject' })).toBe(1);
    expect(pr.value('utm_orders_created_total')).toBe(3);
    expect(pr.value('utm_processor_job_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(pr.value('utm_queue_jobs', { queue: 'signals', state: 'active' })).toBe(0);

    const gw = await scrapeMetrics(s.url);
    expect(gw.value('utm_signals_received_total', { outcome: 'accepted' })).toBe(4);
    expect(gw.value('utm_ingest_duration_seconds_count', { outcome: 'accepted' })).toBe(4);
  });
});
