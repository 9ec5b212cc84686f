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

/**
 * A redis-server of the test's own, from PATH, on a free port in a temporary directory, with
 * the given extra arguments (e.g. `--maxmemory-policy allkeys-lru`): for tests that need a
 * Redis configured differently from the shared one, which they must never reconfigure.
 */
export async function startRedisProcess(extraArgs: string[] = []): Promise<RedisProcess> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'utm-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...extraArgs];
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let failure: string | undefined;
  child.on('error', (err) => (failure = `could not run redis-server (it must be on PATH: apt install redis-server): ${err.message}`));
  child.on('exit', (code, signal) => (failure ??= `redis-server exited (${signal ?? `code ${code}`})`));
  const url = `redis://127.0.0.1:${port}`;
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  admin.on('error', () => undefined);
  const deadline = Date.now() + 15000;
  for (;;) {
    if (failure) throw new Error(failure);
    try {
      if (admin.status === 'wait') await admin.connect();
      if ((await admin.ping()) === 'PONG') break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`redis-server on port ${port} did not answer within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    admin,
    async stop() {
      admin.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
