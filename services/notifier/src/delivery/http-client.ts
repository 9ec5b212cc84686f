import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { guardConnectedSocket, guardedLookup, type AddressPolicy, type Resolver } from '@utm/webhooks';
import type { Answer } from './outcome';

/** What the delivery log keeps of an answer's body. */
export const ANSWER_BYTES = 1024;
/** Past this much body the connection is dropped rather than read. */
const DRAIN_LIMIT = 64 * 1024;

export interface Timed {
  answer: Answer;
  durationMs: number;
}

export interface PostOptions {
  timeoutMs: number;
  /** At most this many open connections to one host (one endpoint's cap, with keep-alive). */
  maxSocketsPerHost: number;
  policy: AddressPolicy;
  /** Tests: a resolver of their own. */
  resolve?: Resolver;
}

/**
 * POSTs without following redirects (node's http client never does), within one bound for
 * connect, answer and body (WEBHOOK_TIMEOUT_MS), keeping the first 1 KiB of the answer. Every
 * connection resolves through the SSRF policy and is checked again once connected.
 */
export class HttpPoster {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly opts: PostOptions) {
    const lookup = guardedLookup(opts.policy, opts.resolve);
    const guard = (socket: Duplex, host: string) => guardConnectedSocket(opts.policy, socket as Socket, host);
    const common = { keepAlive: true, maxSockets: opts.maxSocketsPerHost, lookup };
    class GuardedHttp extends http.Agent {
      override createConnection(o: http.ClientRequestArgs, cb?: (err: Error | null, s: Duplex) => void): Duplex {
        const s = super.createConnection(o, cb) as Duplex;
        guard(s, String(o.host ?? o.hostname));
        return s;
      }
    }
    class GuardedHttps extends https.Agent {
      override createConnection(o: http.ClientRequestArgs, cb?: (err: Error | null, s: Duplex) => void): Duplex {
        const s = super.createConnection(o, cb) as Duplex;
        guard(s, String(o.host ?? o.hostname));
        return s;
      }
    }
    this.agents = { http: new GuardedHttp(common), https: new GuardedHttps(common) };
  }

  post(url: string, headers: Record<string, string>, body: string): Promise<Timed> {
    const started = performance.now();
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const client = secure ? https : http;
    const payload = Buffer.from(body, 'utf8');
    return new Promise<Timed>((resolve) => {
      let settled = false;
      const done = (answer: Answer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ answer, durationMs: Math.round(performance.now() - started) });
      };
      const req = client.request(
        u,
        {
          method: 'POST',
          agent: secure ? this.agents.https : this.agents.http,
          headers: { ...headers, 'content-length': String(payload.length) },
        },
        (res) => {
          const kept: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < ANSWER_BYTES) kept.push(chunk.subarray(0, ANSWER_BYTES - size));
            size += chunk.length;
            if (size > DRAIN_LIMIT) res.destroy();
          });
          const finish = () =>
            done({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(kept).subarray(0, ANSWER_BYTES).toString('utf8'),
            });
          res.on('end', finish);
          res.on('close', finish);
          res.on('error', finish);
        },
      );
      const timer = setTimeout(() => {
        req.destroy(new Error(`no answer within ${this.opts.timeoutMs} ms`));
      }, this.opts.timeoutMs);
      req.on('error', (err) => done({ error: describe(err) }));
      req.end(payload);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}

function describe(err: Error & { code?: string }): string {
  return err.code && !err.message.includes(err.code) ? `${err.code}: ${err.message}` : err.message;
}
