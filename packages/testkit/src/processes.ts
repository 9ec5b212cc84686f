import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

/**
 * The services as real processes, started from their build (`node services/<name>/dist/main.js`)
 * exactly as production starts them, for tests that send them signals (SIGTERM, SIGKILL),
 * run several replicas, or restart them. Each process keeps the tail of its output, so a
 * failing test can say what the service said.
 */
export type ServiceName = 'ingest-gateway' | 'signal-processor' | 'broker-executor';

/** packages/testkit/{src,dist} → the repository root. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');

const TAIL_CHARS = 6000;

export function serviceMain(name: ServiceName): string {
  return path.join(REPO_ROOT, 'services', name, 'dist', 'main.js');
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Throws, saying how to fix it, when a service's build is missing or older than its sources. */
export function assertBuilt(...names: ServiceName[]): void {
  for (const name of names) {
    const main = statSync(serviceMain(name), { throwIfNoEntry: false });
    const src = newestMtime(path.join(REPO_ROOT, 'services', name, 'src'));
    if (!main || main.mtimeMs < src) {
      throw new Error(
        `services/${name}/dist is missing or older than its src: run \`npx turbo run build --filter=@utm/${name}...\` (npm test builds it first)`,
      );
    }
  }
}

/** A TCP port free at the time of asking (the service binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports (for `npm start`, whose workers take the ports right after the
 * gateway's), below Linux's ephemeral range (32768 and up): a port there can be taken at any
 * moment as the local end of some other test's outgoing connection, so the port after a free
 * one (a freePort()) is not safe to bind a moment later.
 */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20000 + Math.floor(Math.random() * (32000 - 20000 - count));
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await canListen(p);
    if (free) return base;
  }
  throw new Error(`no block of ${count} free ports found between 20000 and 32000`);
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Date.now() when the process ended. */
  at: number;
}

export interface ServiceProcess {
  name: ServiceName;
  label: string;
  child: ChildProcess;
  /** Resolves when the process has ended, however. */
  exited: Promise<ProcessExit>;
  running(): boolean;
  /** The last few thousand characters the process wrote (stdout and stderr, interleaved). */
  output(): string;
  /** Sends `signal` and resolves with how the process ended (SIGKILL after `killAfterMs`). */
  stop(signal?: NodeJS.Signals, killAfterMs?: number): Promise<ProcessExit>;
}

/**
 * Starts a service's build with the test's environment. `env` is layered over this process's
 * environment (PATH and the like), so it must name everything the service should see.
 */
export function startService(name: ServiceName, env: Record<string, string>, label: string = name): ServiceProcess {
  const child = spawn(process.execPath, [serviceMain(name)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-TAIL_CHARS));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ProcessExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  let ended = false;
  void exited.then(() => (ended = true));
  const running = () => !ended && child.exitCode === null && child.signalCode === null;
  return {
    name,
    label,
    child,
    exited,
    running,
    output: () => tail,
    async stop(signal = 'SIGTERM', killAfterMs = 60000) {
      if (running()) child.kill(signal);
      const timer = setTimeout(() => running() && child.kill('SIGKILL'), killAfterMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Describes processes for a failure message: each one's state and the tail of its output. */
export function describeProcesses(procs: ServiceProcess[]): string {
  return procs
    .map(
      (p) =>
        `--- ${p.label} (pid ${p.child.pid}, ${p.running() ? 'running' : `exited ${p.child.exitCode ?? p.child.signalCode}`}):\n${p.output().trim() || '(no output)'}`,
    )
    .join('\n');
}

/**
 * Polls `url` until it answers 200. Fails early, with the process's output, when `proc`
 * ends first.
 */
export async function waitUntilReady(url: string, proc?: ServiceProcess, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (proc && !proc.running())
      throw new Error(`${proc.label} ended before ${url} answered 200:\n${describeProcesses([proc])}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200) return;
      last = `${res.status} ${await res.text()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline)
      throw new Error(
        `${url} not ready after ${timeoutMs} ms (last: ${last})${proc ? `\n${describeProcesses([proc])}` : ''}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `fn`; if it throws, the error also carries what the processes said (for CI logs). */
export async function withProcessOutput<T>(procs: () => ServiceProcess[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    e.message = `${e.message}\n${describeProcesses(procs())}`;
    throw e;
  }
}
