import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { RunningServer } from './embedded-postgres';
import { findExisting, removeInstance, writeInstance } from './instance-file';
import { track } from './lifecycle';
import { DevstackError, errorMessage } from './log';
import { probeRedis } from './probe';
import { closeFd, logTail, openLog, signalPid, stopPid, waitUntil } from './proc';

export const NO_REDIS_MESSAGE =
  'Redis is needed: set REDIS_URL, or install redis-server (apt install redis-server / brew install redis)';

export interface RedisServerOptions {
  /** Holds `<name>/` (its working directory), `<name>.log` and `<name>.instance.json`. */
  baseDir: string;
  name: string;
  port: number;
  pathDirs: string[];
  env: Record<string, string | undefined>;
}

export function findOnPath(command: string, pathDirs: string[]): string | undefined {
  for (const dir of pathDirs) {
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not in this directory (or not executable): try the next one
    }
  }
  return undefined;
}

/** Finds our earlier redis-server on `port` or starts one from PATH, without persistence. */
export async function startRedisServer(opts: RedisServerOptions): Promise<RunningServer> {
  const bin = findOnPath('redis-server', opts.pathDirs);
  if (!bin) throw new DevstackError(NO_REDIS_MESSAGE);
  const workDir = path.join(opts.baseDir, opts.name);
  mkdirSync(workDir, { recursive: true });
  const logFile = path.join(opts.baseDir, `${opts.name}.log`);
  const instanceFile = path.join(opts.baseDir, `${opts.name}.instance.json`);
  const url = `redis://127.0.0.1:${opts.port}`;
  const answers = async (): Promise<boolean> => (await probeRedis(opts.port)).ok;

  const existing = await findExisting('redis-server', instanceFile, opts.port, answers);
  if (existing.kind === 'shared') {
    return { url, pid: existing.pid, how: 'shared', stop: async () => undefined };
  }
  const pid = existing.kind === 'adopt' ? existing.pid : await spawnRedis(bin, workDir, logFile, opts, answers);
  writeInstance(instanceFile, { pid, port: opts.port, owner: process.pid });
  const name = `redis-server (pid ${pid})`;
  const stop = async (): Promise<void> => {
    untrack();
    await stopPid(pid, name, { signal: 'SIGTERM', timeoutMs: 10000 });
    removeInstance(instanceFile, pid);
  };
  const untrack = track({ name, stop, killNow: () => void signalPid(pid, 'SIGTERM') });
  return { url, pid, how: existing.kind === 'adopt' ? 'adopted' : 'started', stop };
}

async function spawnRedis(
  bin: string,
  workDir: string,
  logFile: string,
  opts: RedisServerOptions,
  answers: () => Promise<boolean>,
): Promise<number> {
  const args = [
    '--port',
    String(opts.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    workDir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--maxmemory-policy',
    'noeviction', // BullMQ must never lose keys to eviction
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
  const fd = openLog(logFile);
  // Detached: a terminal Ctrl-C reaches us only, and we stop Redis after the services.
  const child = spawn(bin, args, { detached: true, stdio: ['ignore', fd, fd], cwd: workDir, env: opts.env });
  closeFd(fd);
  let failure: string | undefined;
  child.on('error', (err) => (failure = `could not run ${bin}: ${err.message}`));
  child.on('exit', (code, signal) => (failure ??= `exited (${signal ?? `code ${code}`})`));
  child.unref();
  if (child.pid === undefined) {
    await new Promise((r) => setImmediate(r)); // let the 'error' event say why
    throw new DevstackError(failure ?? `could not start ${bin}`);
  }
  const pid = child.pid;
  try {
    await waitUntil(`redis-server on port ${opts.port}`, answers, { timeoutMs: 15000, failed: () => failure });
  } catch (err) {
    signalPid(pid, 'SIGKILL');
    throw new DevstackError(`${errorMessage(err)}; last lines of ${logFile}:\n${logTail(logFile)}`);
  }
  return pid;
}
