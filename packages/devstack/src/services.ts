import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { track } from './lifecycle';
import { say } from './log';
import { signalPid, waitUntil } from './proc';

export const GATEWAY = 'ingest-gateway';
// Longer than the workers' own SHUTDOWN_TIMEOUT_MS (30 s) for the job in hand: we never
// cut short a drain they are still allowed to finish.
const STOP_TIMEOUT_MS = 35000;

export interface ServiceSpec {
  name: string;
  main: string;
  port: number;
}

/**
 * Every `<servicesDir>/<name>/dist/main.js`, sorted. The gateway gets `gatewayPort`; the
 * others (their /healthz, /readyz, /metrics) get the ports right after it, in name order,
 * so that no two clash whatever their own defaults are.
 */
export function discoverServices(servicesDir: string, gatewayPort: number): ServiceSpec[] {
  if (!existsSync(servicesDir)) return [];
  const names = readdirSync(servicesDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(servicesDir, e.name, 'dist', 'main.js')))
    .map((e) => e.name)
    .sort();
  let next = gatewayPort + 1;
  return names.map((name) => ({
    name,
    main: path.join(servicesDir, name, 'dist', 'main.js'),
    port: name === GATEWAY ? gatewayPort : next++,
  }));
}

export interface ServiceExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when we asked it to stop. */
  expected: boolean;
}

export interface RunningService {
  spec: ServiceSpec;
  pid: number | undefined;
  exited: Promise<ServiceExit>;
  /** SIGTERM, up to 35 s to finish, then SIGKILL. */
  stop(): Promise<void>;
  /** SIGTERM without waiting (from the synchronous exit hook). */
  killNow(): void;
}

/** Each line of a child's stream, prefixed with its name, onto ours. */
function pipeLines(stream: NodeJS.ReadableStream | null, name: string, to: NodeJS.WritableStream): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => to.write(`[${name}] ${line}\n`));
}

export function startService(spec: ServiceSpec, env: Record<string, string | undefined>): RunningService {
  // Detached (own process group): a terminal Ctrl-C reaches devstack only, which then
  // stops the services first and the stores after them.
  const child: ChildProcess = spawn(process.execPath, [spec.main], {
    cwd: path.dirname(path.dirname(spec.main)),
    // The gateway reads PORT; the workers read OPS_PORT for their ops endpoints.
    env: { ...env, PORT: String(spec.port), OPS_PORT: String(spec.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  pipeLines(child.stdout, spec.name, process.stdout);
  pipeLines(child.stderr, spec.name, process.stderr);
  let expected = false;
  let done = false;
  const exited = new Promise<ServiceExit>((resolve) => {
    child.on('error', (err) => {
      say(`could not run ${spec.name}: ${err.message}`);
      done = true;
      resolve({ name: spec.name, code: null, signal: null, expected });
    });
    child.on('exit', (code, signal) => {
      done = true;
      resolve({ name: spec.name, code, signal, expected });
    });
  });
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    expected = true;
    if (done || pid === undefined) return;
    signalPid(pid, 'SIGTERM');
    const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref());
    if ((await Promise.race([exited, timer])) === 'timeout') {
      say(`${spec.name} did not stop within ${STOP_TIMEOUT_MS / 1000} s; killing it`);
      signalPid(pid, 'SIGKILL');
      await exited;
    }
  };
  const killNow = (): void => {
    expected = true;
    if (pid !== undefined && !done) signalPid(pid, 'SIGTERM');
  };
  return { spec, pid, exited, stop, killNow };
}

/**
 * Starts them all, tracked as one resource: on Ctrl-C they are stopped together (in
 * parallel, each bounded), before the stores that were tracked earlier.
 */
export function startServices(
  specs: ServiceSpec[],
  env: Record<string, string | undefined>,
): {
  services: RunningService[];
  stop(): Promise<void>;
} {
  const services = specs.map((spec) => startService(spec, env));
  const stop = async (): Promise<void> => {
    untrack();
    await Promise.all(services.map((s) => s.stop()));
  };
  const untrack = track({
    name: specs.map((s) => s.name).join(', ') || 'services',
    stop,
    killNow: () => services.forEach((s) => s.killNow()),
  });
  return { services, stop };
}

function getStatus(url: string, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined)); // not listening yet: keep polling
  });
}

/** Polls GET /readyz until 200; fails early when the service exits. */
export async function waitReady(service: RunningService, timeoutMs: number): Promise<void> {
  let exit: ServiceExit | undefined;
  void service.exited.then((e) => (exit = e));
  let last: number | undefined;
  const url = `http://127.0.0.1:${service.spec.port}/readyz`;
  try {
    await waitUntil(`${service.spec.name} GET /readyz`, async () => (last = await getStatus(url, 2000)) === 200, {
      timeoutMs,
      intervalMs: 300,
      failed: () => (exit ? `exited before it was ready (${exit.signal ?? `code ${exit.code}`})` : undefined),
    });
  } catch (err) {
    const status = last === undefined ? 'no answer' : `last answer ${last}`;
    throw new Error(`${(err as Error).message} (${status} from ${url})`, { cause: err });
  }
}
