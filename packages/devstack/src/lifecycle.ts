import { errorMessage, say } from './log';

/**
 * What this process started and must stop before it ends: stores, services, turbo.
 * Stopped last-in first-out, so services started after the stores stop before them.
 */
export interface Resource {
  name: string;
  /** Orderly stop; resolves when the process is gone. */
  stop(): Promise<void>;
  /** Last resort from the synchronous `exit` event: signal it and hope. */
  killNow(): void;
}

const resources: Resource[] = [];

// Safety net for a process.exit() that skipped stopAll(): signal whatever is left, so that
// nothing we started outlives us (Postgres and Redis shut themselves down on the signal).
process.on('exit', () => {
  for (const r of [...resources].reverse()) {
    try {
      r.killNow();
    } catch (err) {
      process.stderr.write(`devstack: could not signal ${r.name} at exit: ${errorMessage(err)}\n`);
    }
  }
});

/** Registers a resource; the returned function forgets it (after it was stopped by other means). */
export function track(resource: Resource): () => void {
  resources.push(resource);
  return () => {
    const i = resources.indexOf(resource);
    if (i >= 0) resources.splice(i, 1);
  };
}

let stopping: Promise<void> | undefined;

/** Stops every tracked resource, newest first; errors are reported, and the next one is still stopped. */
export function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (let r = resources.pop(); r; r = resources.pop()) {
      try {
        await r.stop();
      } catch (err) {
        say(`could not stop ${r.name} cleanly: ${errorMessage(err)}; killing it`);
        try {
          r.killNow();
        } catch (killErr) {
          say(`could not kill ${r.name}: ${errorMessage(killErr)}`);
        }
      }
    }
  })().finally(() => {
    stopping = undefined;
  });
  return stopping;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/**
 * For entry points: on SIGINT/SIGTERM/SIGHUP run `before` (if any), stop everything and
 * exit 128+n. A second signal while stopping kills what is left and exits at once.
 */
export function exitOnSignals(before?: (signal: NodeJS.Signals) => void): void {
  let received: NodeJS.Signals | undefined;
  for (const [signal, n] of Object.entries(SIGNAL_CODES) as [NodeJS.Signals, number][]) {
    process.on(signal, () => {
      if (received) {
        say(`${signal} again: killing what is left`);
        process.exit(128 + n); // the exit hook above signals the remaining resources
      }
      received = signal;
      say(`${signal} received: stopping`);
      before?.(signal);
      void stopAll().then(() => process.exit(128 + n));
    });
  }
}
