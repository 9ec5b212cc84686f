import type { PoolClient } from 'pg';

const COALESCED = Symbol('utm.coalescedWrites');

type Writable = PoolClient['connection']['stream'] & { [COALESCED]?: true };

/**
 * In pipeline mode node-postgres writes each query to the socket as soon as it is issued: the
 * statements of one batch (BEGIN, the lock, the read) went out as three writes, three system
 * calls that each wake the server. This corks the connection's socket at the first write of
 * an event-loop turn and uncorks it on the next tick, so what is issued together leaves in
 * one write. Nothing is reordered or held past the current turn.
 */
export function coalesceWrites(client: PoolClient): void {
  const stream = client.connection.stream as Writable;
  if (stream[COALESCED]) return;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as typeof stream.write;
  stream[COALESCED] = true;
}

/** Whether coalesceWrites is in place on the client's socket. */
export function writesCoalesced(client: PoolClient): boolean {
  return (client.connection.stream as Writable)[COALESCED] === true;
}
