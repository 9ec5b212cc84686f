import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DevstackError, errorMessage, say } from './log';
import { pidAlive } from './proc';
import { portInUse } from './probe';

/**
 * A server we started records itself in a small JSON file next to its data, so that a
 * later run can tell "our own earlier instance" from a stranger on the same port.
 */
export interface InstanceRecord {
  /** The server's pid (the postmaster for Postgres). */
  pid: number;
  port: number;
  /** The devstack process responsible for stopping it. */
  owner: number;
}

export type Existing =
  | { kind: 'none' }
  /** Running, and its owner (another devstack process) is alive: use it, leave it to its owner. */
  | { kind: 'shared'; pid: number; owner: number }
  /** Running, but its owner is gone (a crashed or killed run): use it and stop it when we end. */
  | { kind: 'adopt'; pid: number };

export function readInstance(file: string): InstanceRecord | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstanceRecord>;
    if (typeof rec.pid === 'number' && typeof rec.port === 'number' && typeof rec.owner === 'number') {
      return { pid: rec.pid, port: rec.port, owner: rec.owner };
    }
    say(`ignoring ${file}: not an instance record`);
  } catch (err) {
    say(`ignoring ${file}: ${errorMessage(err)}`);
  }
  return undefined;
}

export function writeInstance(file: string, rec: InstanceRecord): void {
  writeFileSync(file, `${JSON.stringify(rec)}\n`, { mode: 0o644 });
}

/** Forgets the record if it still names this server (another run may have replaced it). */
export function removeInstance(file: string, pid: number): void {
  if (readInstance(file)?.pid === pid) rmSync(file, { force: true });
}

/**
 * Looks at `port`: our earlier instance (shared or adopted), nothing, or a stranger
 * (a one-line error: we never take over a server we did not start).
 */
export async function findExisting(
  what: string,
  file: string,
  port: number,
  answers: () => Promise<boolean>,
): Promise<Existing> {
  const rec = readInstance(file);
  if (rec && rec.port === port && pidAlive(rec.pid) && (await answers())) {
    if (rec.owner !== process.pid && pidAlive(rec.owner)) return { kind: 'shared', pid: rec.pid, owner: rec.owner };
    return { kind: 'adopt', pid: rec.pid };
  }
  if (await portInUse(port)) {
    throw new DevstackError(
      `port ${port} (for the ${what}) is taken by another program; stop it, or set the URL of a server to use instead`,
    );
  }
  if (rec) rmSync(file, { force: true }); // stale: its server is gone
  return { kind: 'none' };
}
