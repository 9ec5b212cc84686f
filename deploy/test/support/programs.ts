import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './files';

export interface Program {
  child: ChildProcess;
  /** Everything written on stderr so far. */
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs a compose `command` (["node", "<path under /app>", …]) from the repository root, as the
 * image runs it from /app, with exactly the environment given (a container has only what
 * compose sets, plus the image's NODE_ENV).
 */
export function runProgram(command: string[], env: Record<string, string>): Program {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`expected a node command, got ${JSON.stringify(command)}`);
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stderr: () => err,
    exited,
    async stop(timeoutMs = 20000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };
}

/** Runs a healthcheck's CMD form (`node` is this Node); resolves to its exit code. */
export function runHealthcheck(test: string[]): Promise<number> {
  const [form, program, ...args] = test;
  if (form !== 'CMD' || !program) throw new Error(`expected ["CMD", …], got ${JSON.stringify(test)}`);
  const bin = program === 'node' ? process.execPath : program;
  return new Promise((resolve) => {
    execFile(bin, args, { cwd: ROOT, timeout: 10000 }, (error) =>
      resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
    );
  });
}

/** Polls until `check` resolves true, or fails naming `what` after `timeoutMs`. */
export async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const mainOf = (command: string[]): string => path.join(ROOT, command[1] ?? '');
