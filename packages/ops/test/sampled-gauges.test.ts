import { Registry } from 'prom-client';
import { registerOrderStatusGauge, registerQueueGauges, Sampler } from '../src';

const value = async (registry: Registry, name: string) => (await registry.getSingleMetric(name)?.get())?.values ?? [];

describe('sampled gauges', () => {
  it('one read feeds both queue gauges, reused while fresh', async () => {
    const registry = new Registry();
    let reads = 0;
    registerQueueGauges(
      registry,
      async () => {
        reads++;
        return [{ queue: 'signals', counts: { waiting: 3, failed: 1 }, oldestWaitingAgeSeconds: 12.5 }];
      },
      { maxAgeMs: 60000 },
    );
    const text = await registry.metrics();
    expect(text).toContain('utm_queue_jobs{queue="signals",state="waiting"} 3');
    expect(text).toContain('utm_queue_jobs{queue="signals",state="failed"} 1');
    expect(text).toContain('utm_queue_oldest_waiting_age_seconds{queue="signals"} 12.5');
    await registry.metrics();
    expect(reads).toBe(1);
  });

  it('a slow read answers empty within the bound, is counted, and is not started twice', async () => {
    const registry = new Registry();
    let reads = 0;
    let finish: (v: Record<string, number>) => void = () => undefined;
    const errors: string[] = [];
    registerOrderStatusGauge(
      registry,
      () => {
        reads++;
        return new Promise((resolve) => (finish = resolve));
      },
      { timeoutMs: 50, maxAgeMs: 60000, onError: (err, source) => errors.push(`${source}: ${(err as Error).message}`) },
    );
    const started = Date.now();
    expect(await value(registry, 'utm_orders')).toEqual([]);
    expect(await value(registry, 'utm_orders')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(reads).toBe(1);
    expect(errors).toEqual(['orders: orders: no answer in 50 ms']);
    expect(await registry.metrics()).toContain('utm_metrics_sample_failures_total{source="orders"} 1');
    finish({ NEW: 2, FILLED: 5 });
    await new Promise((r) => setImmediate(r));
    expect((await value(registry, 'utm_orders')).map((v) => [v.labels.status, v.value])).toEqual([
      ['NEW', 2],
      ['FILLED', 5],
    ]);
    expect(reads).toBe(1);
  });

  it('a failed read empties the gauge instead of showing stale values or failing the scrape', async () => {
    const registry = new Registry();
    let fail = false;
    registerQueueGauges(
      registry,
      async () => {
        if (fail) throw new Error('redis down');
        return [{ queue: 'orders', counts: { waiting: 1 }, oldestWaitingAgeSeconds: 1 }];
      },
      { maxAgeMs: 0 },
    );
    expect(await registry.metrics()).toContain('utm_queue_jobs{queue="orders",state="waiting"} 1');
    fail = true;
    expect(await registry.metrics()).not.toContain('utm_queue_jobs{');
    // Counted once per failed read, seen from the next scrape on.
    expect(await registry.metrics()).toContain('utm_metrics_sample_failures_total{source="queues"} 1');
  });

  it('samplers on one registry share the failure counter', () => {
    const registry = new Registry();
    new Sampler(registry, 'a', async () => 1);
    new Sampler(registry, 'b', async () => 2);
    expect(registry.getMetricsAsArray().map((m) => m.name)).toEqual(['utm_metrics_sample_failures_total']);
  });
});
