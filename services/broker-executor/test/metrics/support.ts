import type { Registry } from 'prom-client';
import { startOpsServer } from '@utm/ops';
import { scrapeMetrics, type Scrape } from '@utm/testkit';

/** A worker's registry behind the same ops server its main.ts starts, scraped over HTTP. */
export async function opsEndpoint(registry: Registry): Promise<{ scrape(): Promise<Scrape>; close(): Promise<void> }> {
  const ops = await startOpsServer({ port: 0, host: '127.0.0.1', registry, checks: {} });
  return { scrape: () => scrapeMetrics(`http://127.0.0.1:${ops.port}`), close: () => ops.close() };
}
