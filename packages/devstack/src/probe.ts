import net from 'node:net';
import { Client } from 'pg';
import { errorMessage } from './log';

export type ProbeResult = { ok: true } | { ok: false; reason: string; refused: boolean };

/** Connects and runs SELECT 1; `refused` when nothing listens at all. */
export async function probePostgres(url: string, timeoutMs = 3000): Promise<ProbeResult> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  // A connection dropped later must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: errorMessage(err), refused: code === 'ECONNREFUSED' };
  } finally {
    await client.end().catch(() => undefined); // nothing to close when connect failed
  }
}

/** Sends PING over a plain socket; ok only for +PONG (a password-protected Redis says -NOAUTH). */
export function probeRedis(port: number, host = '127.0.0.1', timeoutMs = 2000): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    let reply = '';
    const done = (result: ProbeResult): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, reason: 'no answer to PING', refused: false }));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (!reply.includes('\r\n')) return;
      const line = reply.slice(0, reply.indexOf('\r\n'));
      done(line === '+PONG' ? { ok: true } : { ok: false, reason: `PING answered "${line}"`, refused: false });
    });
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done({ ok: false, reason: err.message, refused: err.code === 'ECONNREFUSED' }),
    );
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portInUse(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    const done = (inUse: boolean): void => {
      socket.destroy();
      resolve(inUse);
    };
    socket.setTimeout(timeoutMs, () => done(true));
    socket.on('connect', () => done(true));
    socket.on('error', () => done(false));
  });
}
