import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './processes';

export interface RedisProcess {
  url: string;
  port: number;
  /** A connection to it, for the test's own commands (CONFIG SET on this server only). */
  admin: Redis;
  stop(): Promise<void>;
}

export interface RedisProcessOptions {
  /** Its working directory, owned by the caller (left in place by stop()); default: a fresh one, removed by stop(). */
  dir?: string;
  /** Its port; default: a free one. */
  port?: number;
}

/** Servers still running when this process exits (a test that failed before its teardown, Ctrl-C) are killed with it. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A redis-server of the test's own, from PATH, on a free port in a temporary directory, with
 * the given extra arguments (e.g. `--maxmemory-policy allkeys-lru`): for tests that need a
 * Redis configured differently from the shared one, which they must never reconfigure.
 */
export async function startRedisProcess(
  extraArgs: string[] = [],
  opts: RedisProcessOptions = {},
): Promise<RedisProcess> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'utm-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    ...extraArgs,
  ];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  running.add(child);
  let failure: string | undefined;
  child.on(
    'error',
    (err) => (failure = `could not run redis-server (it must be on PATH: apt install redis-server): ${err.message}`),
  );
  child.on('exit', (code, signal) => {
    running.delete(child);
    failure ??= `redis-server exited (${signal ?? `code ${code}`})`;
  });
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  admin.on('error', () => undefined);
  const stop = async () => {
    admin.disconnect();
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (failure) {
      await stop();
      throw new Error(failure);
    }
    try {
      if (admin.status === 'wait') await admin.connect();
      if ((await admin.ping()) === 'PONG') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await stop();
      throw new Error(`redis-server on port ${port} did not answer within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, port, admin, stop };
}
