import type { Express } from 'express';
import type { RedisConnection } from '@utm/queue';
import type { Db } from '@utm/db';
import type { Registry } from 'prom-client';

async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** /healthz: the process answers. /readyz: Postgres and Redis answer. /metrics: Prometheus. */
export function registerHealth(
  router: Express,
  deps: { db: Db; redis: RedisConnection; registry: Registry; isShuttingDown: () => boolean },
): void {
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const [pg, redis] = await Promise.allSettled([
      within(1000, deps.db.pool.query('SELECT 1')),
      within(1000, deps.redis.ping()),
    ]);
    const checks = {
      postgres: pg.status === 'fulfilled' ? 'up' : 'down',
      redis: redis.status === 'fulfilled' ? 'up' : 'down',
    };
    const ready = !deps.isShuttingDown() && checks.postgres === 'up' && checks.redis === 'up';
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : deps.isShuttingDown() ? 'shutting-down' : 'unavailable', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.registry.contentType);
    res.send(await deps.registry.metrics());
  });
}
