import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import type { Registry } from 'prom-client';
import { createBrokerExecutor } from '@utm/broker-executor';
import { JOBS, type OrderJob, type SignalJob } from '@utm/contracts';
import { createDb } from '@utm/db';
import { createGateway } from '@utm/ingest-gateway';
import { createLogger } from '@utm/logger';
import { startOpsServer } from '@utm/ops';
import { createRedis, Producer, waitForRedis } from '@utm/queue';
import { createSignalProcessor } from '@utm/signal-processor';
import { isolatedDatabase, scrapeMetrics, testRedisUrl, uniquePrefix, type Scrape } from '@utm/testkit';

export interface LiveService {
  name: 'ingest-gateway' | 'signal-processor' | 'broker-executor';
  registry: Registry;
  scrape(): Promise<Scrape>;
}

/**
 * The three services built by their real factories, with process metrics as their main.ts
 * registers them, on a database of their own and a fresh queue prefix, each /metrics served
 * over HTTP (the gateway's app, the workers' ops servers). Nothing is consumed: metric
 * families are there from the start.
 */
export async function startLiveServices(): Promise<{ services: LiveService[]; stop(): Promise<void> }> {
  const database = await isolatedDatabase('observability');
  const db = createDb({ url: database.url, poolMax: 4 });
  const prefix = uniquePrefix('obs');
  const logger = createLogger({ service: 'test', level: 'error' });
  const conns = [
    createRedis(testRedisUrl(), 'client'),
    createRedis(testRedisUrl(), 'producer'),
    createRedis(testRedisUrl(), 'producer'),
    createRedis(testRedisUrl(), 'worker'),
    createRedis(testRedisUrl(), 'worker'),
  ] as const;
  await Promise.all(conns.map((c) => waitForRedis(c)));
  const [client, signalsConn, ordersConn, processorConn, executorConn] = conns;
  const signals = new Producer<SignalJob>(JOBS.signals, { connection: signalsConn, prefix });
  const orders = new Producer<OrderJob>(JOBS.orders, { connection: ordersConn, prefix });

  const gateway = createGateway({
    db,
    redis: client,
    producer: signals,
    logger,
    queuePrefix: prefix,
    outboxSweep: false,
    defaultMetrics: true,
  });
  const server = await gateway.listen(0, '127.0.0.1');
  const processor = createSignalProcessor({
    db,
    consumer: { connection: processorConn, prefix },
    orders,
    signals,
    logger,
    defaultMetrics: true,
    autorun: false,
  });
  const executor = createBrokerExecutor({
    db,
    consumer: { connection: executorConn, prefix },
    orders,
    signals,
    listen: async () => {
      const c = new Client({ connectionString: database.url });
      await c.connect();
      return c;
    },
    logger,
    clock: { timeZone: 'America/New_York', close: '16:00' },
    brokerFor: () => {
      throw new Error('no external broker here');
    },
    defaultMetrics: true,
    autorun: false,
  });
  const processorOps = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    registry: processor.metrics.registry,
    checks: {},
  });
  const executorOps = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    registry: executor.metrics.registry,
    checks: {},
  });
  const gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    services: [
      { name: 'ingest-gateway', registry: gateway.metrics.registry, scrape: () => scrapeMetrics(gatewayUrl) },
      {
        name: 'signal-processor',
        registry: processor.metrics.registry,
        scrape: () => scrapeMetrics(`http://127.0.0.1:${processorOps.port}`),
      },
      {
        name: 'broker-executor',
        registry: executor.metrics.registry,
        scrape: () => scrapeMetrics(`http://127.0.0.1:${executorOps.port}`),
      },
    ],
    async stop() {
      await processorOps.close();
      await executorOps.close();
      await executor.close();
      await processor.close();
      await gateway.close();
      await signals.close();
      await orders.close();
      for (const c of conns) c.disconnect();
      await db.close();
      await database.drop();
    },
  };
}

/** Label names of every metric family of a registry (what a query may group or filter by). */
export function labelNames(registry: Registry): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const metric of registry.getMetricsAsArray()) {
    const names = (metric as unknown as { labelNames?: unknown }).labelNames;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
      throw new Error(`cannot read the label names of ${metric.name}`);
    out.set(metric.name, names);
  }
  return out;
}
