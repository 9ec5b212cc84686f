import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A named dependency check: resolves when the dependency answers. */
export type ReadinessCheck = () => Promise<unknown>;

export interface OpsServerOptions {
  port: number;
  host?: string;
  registry: Registry;
  checks: Record<string, ReadinessCheck>;
  /** While true, /readyz answers 503 (draining). */
  isShuttingDown?: () => boolean;
  checkTimeoutMs?: number;
}

async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      p,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every check; `ready` only when all answered. */
export async function readiness(
  checks: Record<string, ReadinessCheck>,
  timeoutMs = 1000,
): Promise<{ ready: boolean; checks: Record<string, 'up' | 'down'> }> {
  const names = Object.keys(checks);
  const results = await Promise.allSettled(names.map((n) => within(timeoutMs, (checks[n] as ReadinessCheck)())));
  const out: Record<string, 'up' | 'down'> = {};
  names.forEach((n, i) => (out[n] = results[i]?.status === 'fulfilled' ? 'up' : 'down'));
  return { ready: Object.values(out).every((v) => v === 'up'), checks: out };
}

/**
 * GET /healthz (process alive), /readyz (dependencies answer, not draining), /metrics
 * (Prometheus), for services that have no HTTP API of their own.
 */
export async function startOpsServer(
  opts: OpsServerOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, { success: false, error: 'NOT_FOUND', message: 'GET only' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      readiness(opts.checks, opts.checkTimeoutMs).then(
        ({ ready, checks }) => {
          const draining = opts.isShuttingDown?.() ?? false;
          send(ready && !draining ? 200 : 503, {
            status: draining ? 'shutting-down' : ready ? 'ready' : 'unavailable',
            checks,
          });
        },
        (err: unknown) => send(503, { status: 'unavailable', message: String(err) }),
      );
      return;
    }
    if (path === '/metrics') {
      opts.registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': opts.registry.contentType });
          res.end(text);
        },
        (err: unknown) => send(500, { success: false, error: 'INTERNAL_ERROR', message: String(err) }),
      );
      return;
    }
    send(404, { success: false, error: 'NOT_FOUND', message: `No route for GET ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
