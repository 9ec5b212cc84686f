import type { Registry } from 'prom-client';
import { startOpsServer } from './server';

/**
 * What every service's main.ts does around its own wiring: load config or exit naming the
 * bad variables, and on SIGTERM/SIGINT stop intake, drain within a bound, close, exit.
 */
export interface LifecycleLogger {
  info(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

/** Calls the loader; on a configuration error prints it and exits 2 (no stack, no values). */
export function configOrExit<T>(service: string, load: () => T): T {
  try {
    return load();
  } catch (err) {
    if (err instanceof Error && err.name === 'ConfigError') {
      process.stderr.write(`${service}: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

export interface ShutdownOptions {
  logger: LifecycleLogger;
  /** Past this, exit 1 anyway: unfinished work is retried by another replica or the sweeper. */
  timeoutMs: number;
  /** Stops intake, drains, closes connections, in that order. */
  stop: () => Promise<void>;
}

/** Registers SIGTERM/SIGINT handlers; returns a function telling whether shutdown began. */
export function handleShutdown(opts: ShutdownOptions): () => boolean {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.logger.info('shutting down: taking no new work, finishing what is in hand', { signal });
    setTimeout(() => {
      opts.logger.error(`shutdown took longer than ${opts.timeoutMs} ms; exiting`);
      process.exit(1);
    }, opts.timeoutMs).unref();
    try {
      await opts.stop();
      opts.logger.info('stopped');
      process.exit(0);
    } catch (err) {
      opts.logger.error('shutdown failed', { err });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  return () => stopping;
}

/** The last line of a main.ts: a failure to start is one line on stderr and exit 1. */
export function exitOnStartFailure(service: string, started: Promise<unknown>): void {
  started.catch((err: unknown) => {
    process.stderr.write(`${service} failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

export interface WorkerServiceOptions {
  service: string;
  logger: LifecycleLogger;
  opsPort: number;
  registry: Registry;
  checks: Record<string, () => Promise<unknown>>;
  shutdownTimeoutMs: number;
  /** Starts taking work (called once the ops endpoints answer). */
  start: () => Promise<void> | void;
  /** Takes no new work, finishes what is in hand, closes the service's own connections. */
  stop: () => Promise<void>;
  /** Extra fields for the "started" log line. */
  details?: Record<string, unknown>;
}

/**
 * The common life of a worker service: /healthz, /readyz (failing while draining) and
 * /metrics on OPS_PORT, a bounded SIGTERM/SIGINT drain, then start.
 */
export async function runWorkerService(opts: WorkerServiceOptions): Promise<void> {
  let draining: () => boolean = () => false;
  const ops = await startOpsServer({
    port: opts.opsPort,
    registry: opts.registry,
    checks: opts.checks,
    isShuttingDown: () => draining(),
  });
  draining = handleShutdown({
    logger: opts.logger,
    timeoutMs: opts.shutdownTimeoutMs,
    stop: async () => {
      await opts.stop();
      await ops.close();
    },
  });
  await opts.start();
  opts.logger.info(`${opts.service} started`, { ...opts.details, opsPort: ops.port });
}
