import { Agent, request } from 'node:http';

export interface PacedResult {
  /** Requests sent (rate × seconds when the generator kept its pace). */
  sent: number;
  /** 2xx answers. */
  ok: number;
  non2xx: number;
  /** Transport errors (refused, reset, timed out). */
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
  /** Sockets kept open at most (requests beyond wait for one). */
  maxSockets?: number;
  timeoutMs?: number;
}

/**
 * An open-loop load at an even pace: request i leaves at start + i/rate, whatever the answers
 * (autocannon's `overallRate` sends each second's requests together at the start of the second,
 * which measures the queueing of that burst, not the latency at a sustained rate). Timers fire
 * at about 1 ms resolution: each tick sends every request whose time has come.
 */
export function paced(opts: PacedOptions): Promise<PacedResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 64 });
  const target = new URL(opts.url);
  const total = Math.round(opts.rate * opts.durationS);
  const result: PacedResult = { sent: 0, ok: 0, non2xx: 0, errors: 0, maxLagMs: 0 };
  let answered = 0;

  return new Promise((resolve) => {
    const finish = () => {
      agent.destroy();
      resolve(result);
    };
    const send = (i: number) => {
      const { headers, body } = opts.next(i);
      const req = request(
        { host: target.hostname, port: target.port, path: target.pathname + target.search, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, timeout: opts.timeoutMs ?? 10000 },
        (res) => {
          res.resume();
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) result.ok++;
            else result.non2xx++;
            if (++answered === total) finish();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        result.errors++;
        if (++answered === total) finish();
      });
      req.end(body);
      result.sent++;
    };
    const start = performance.now();
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed * opts.rate) / 1000) + 1);
      if (due > result.sent) result.maxLagMs = Math.max(result.maxLagMs, elapsed - (result.sent * 1000) / opts.rate);
      while (result.sent < due) send(result.sent);
      if (result.sent < total) setTimeout(tick, 1);
    };
    if (total === 0) return finish();
    tick();
  });
}
