import { connect, type Socket } from 'node:net';

export interface PacedResult {
  /** Requests sent (rate × seconds when the generator kept its pace), warm-up included. */
  sent: number;
  /** 2xx answers (from countFromS on, as the two below). */
  ok: number;
  non2xx: number;
  /** Transport errors (refused, reset, timed out, unreadable answer). */
  errors: number;
  /** How far behind its schedule the generator fell at worst (its own lateness, not the service's). */
  maxLagMs: number;
}

export interface PacedOptions {
  url: string;
  /** Requests per second, spread evenly: one every 1000/rate ms, not a burst per second. */
  rate: number;
  durationS: number;
  /** The i-th request's headers and body. */
  next: (i: number) => { headers: Record<string, string>; body: string };
  /** Answers are counted only for requests sent from this many seconds on (a warm-up before it). */
  countFromS?: number;
  /** Connections open at most; a request due while all are busy waits for one. */
  maxConnections?: number;
  timeoutMs?: number;
}

/**
 * One keep-alive HTTP/1.1 connection carrying one request at a time. The load generator shares
 * the machine with what it measures, so it is written to cost little: a request is one write
 * of a prepared string, an answer is read by its status line and Content-Length (the gateway
 * always sends one), nothing else is parsed.
 */
class Conn {
  private buf = '';
  private done: ((status: number | null) => void) | null = null;
  private timer: NodeJS.Timeout | undefined;
  broken = false;

  constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', () => this.fail());
    socket.on('close', () => this.fail());
  }

  send(request: string): Promise<number | null> {
    return new Promise((resolve) => {
      this.done = resolve;
      this.timer = setTimeout(() => this.fail(), this.timeoutMs);
      this.socket.write(request);
    });
  }

  private finish(status: number | null): void {
    clearTimeout(this.timer);
    const done = this.done;
    this.done = null;
    done?.(status);
  }

  private fail(): void {
    this.broken = true;
    this.socket.destroy();
    if (this.done) this.finish(null);
  }

  private onData(chunk: string): void {
    this.buf += chunk;
    const head = this.buf.indexOf('\r\n\r\n');
    if (head < 0) return;
    const match = /\r\ncontent-length:\s*(\d+)/i.exec(this.buf.slice(0, head));
    if (!match) return this.fail();
    const end = head + 4 + Number(match[1]);
    if (this.buf.length < end) return;
    const status = Number(this.buf.slice(9, 12));
    this.buf = this.buf.slice(end);
    this.finish(Number.isFinite(status) ? status : null);
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * An open-loop load at an even pace: request i leaves at start + i/rate, whatever the answers
 * (autocannon's `overallRate` sends each second's requests together at the start of the second,
 * which measures the queueing of that burst, not the latency at a sustained rate). Timers fire
 * at about 1 ms resolution: each tick sends every request whose time has come.
 */
export function paced(opts: PacedOptions): Promise<PacedResult> {
  const target = new URL(opts.url);
  const port = Number(target.port || 80);
  const path = target.pathname + target.search;
  const maxConnections = opts.maxConnections ?? 128;
  const timeoutMs = opts.timeoutMs ?? 10000;
  const total = Math.round(opts.rate * opts.durationS);
  const result: PacedResult = { sent: 0, ok: 0, non2xx: 0, errors: 0, maxLagMs: 0 };
  const firstCounted = Math.round(opts.rate * (opts.countFromS ?? 0));
  const idle: Conn[] = [];
  const all: Conn[] = [];
  const waiting: [number, string][] = [];
  let answered = 0;

  const requestText = (i: number): string => {
    const { headers, body } = opts.next(i);
    const lines = [
      `POST ${path} HTTP/1.1`,
      `host: ${target.host}`,
      `content-length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    return `${lines.join('\r\n')}\r\n\r\n${body}`;
  };

  return new Promise((resolve) => {
    const settle = (i: number, status: number | null) => {
      if (i < firstCounted) {
        // a warm-up request: not counted
      } else if (status === null) result.errors++;
      else if (status >= 200 && status < 300) result.ok++;
      else result.non2xx++;
      if (++answered === total) {
        for (const c of all) c.close();
        resolve(result);
      }
    };
    const run = (conn: Conn, [i, request]: [number, string]) => {
      void conn.send(request).then((status) => {
        settle(i, status);
        const next = waiting.shift();
        if (conn.broken) {
          all.splice(all.indexOf(conn), 1);
          if (next !== undefined) dispatch(next);
        } else if (next !== undefined) run(conn, next);
        else idle.push(conn);
      });
    };
    const dispatch = (request: [number, string]) => {
      // An idle connection the server closed meanwhile (its keep-alive timeout) is dropped, not used.
      let conn = idle.pop();
      while (conn?.broken) {
        all.splice(all.indexOf(conn), 1);
        conn = idle.pop();
      }
      if (conn) return run(conn, request);
      if (all.length < maxConnections) {
        const c = new Conn(connect(port, target.hostname), timeoutMs);
        all.push(c);
        return run(c, request);
      }
      waiting.push(request);
    };
    const start = performance.now();
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed * opts.rate) / 1000) + 1);
      if (due > result.sent) result.maxLagMs = Math.max(result.maxLagMs, elapsed - (result.sent * 1000) / opts.rate);
      while (result.sent < due) {
        const i = result.sent++;
        dispatch([i, requestText(i)]);
      }
      if (result.sent < total) setTimeout(tick, 1);
    };
    if (total === 0) return resolve(result);
    tick();
  });
}
