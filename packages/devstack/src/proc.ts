import { closeSync, openSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether a process with this pid exists (a zombie counts until its parent reaps it). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; ESRCH: gone.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sends a signal if the process still exists; false when it was already gone. */
export function signalPid(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(100);
  }
  return true;
}

/**
 * Signals a process and waits until it is gone; escalates to `escalation` (then SIGKILL)
 * when it takes longer than `timeoutMs`.
 */
export async function stopPid(
  pid: number,
  name: string,
  opts: { signal: NodeJS.Signals; timeoutMs: number; escalation?: NodeJS.Signals },
): Promise<void> {
  if (!signalPid(pid, opts.signal)) return;
  if (await waitForPidExit(pid, opts.timeoutMs)) return;
  for (const next of [opts.escalation, 'SIGKILL' as const]) {
    if (!next) continue;
    process.stderr.write(`devstack: ${name} (pid ${pid}) still running after ${opts.signal}; sending ${next}\n`);
    if (!signalPid(pid, next)) return;
    if (await waitForPidExit(pid, 5000)) return;
  }
  throw new Error(`${name} (pid ${pid}) did not exit even after SIGKILL`);
}

/** Polls `check` until it returns true; fails early when `failed` reports a reason. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; intervalMs?: number; failed?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const reason = opts.failed?.();
    if (reason) throw new Error(`${what}: ${reason}`);
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`${what}: not ready after ${Math.round(opts.timeoutMs / 1000)} s`);
    await sleep(opts.intervalMs ?? 200);
  }
}

/** Opens a log file for a child's stdout/stderr (appending). The caller closes the fd after spawn. */
export function openLog(file: string): number {
  return openSync(file, 'a', 0o644);
}

export function closeFd(fd: number): void {
  closeSync(fd);
}

/** The last lines of a log file, to explain why a server did not start. */
export function logTail(file: string, lines = 8): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd();
    return text.split('\n').slice(-lines).join('\n');
  } catch (err) {
    return `(could not read ${file}: ${(err as Error).message})`;
  }
}
