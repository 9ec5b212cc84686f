import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a stand-in saw it, with when it arrived (ms epoch) and what it answered. */
export interface Received {
  at: number;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

export type Handle = (req: Omit<Received, 'status'>, res: ServerResponse) => number | 'hang' | Promise<number | 'hang'>;

/** A plain node:http server on 127.0.0.1, port 0, recording every request and its answer. */
export class LocalServer {
  readonly received: Received[] = [];
  private server!: Server;
  private readonly hanging = new Set<ServerResponse>();
  url = '';
  /** Requests being answered right now, and the most there ever were at once. */
  open = 0;
  maxOpen = 0;

  constructor(private readonly handle: Handle) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.open += 1;
      this.maxOpen = Math.max(this.maxOpen, this.open);
      res.once('close', () => (this.open -= 1));
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://local');
        const seen = {
          at: Date.now(),
          method: req.method ?? '',
          path: u.pathname,
          query: u.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        void Promise.resolve(this.handle(seen, res)).then((status) => {
          if (status === 'hang') this.hanging.add(res);
          this.received.push({ ...seen, status: status === 'hang' ? 0 : status });
        });
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const r of this.hanging) r.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/html' : 'application/json';
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(text);
  return status;
}

/** A fixed-window request budget per key, as the chat services rate-limit a webhook or a bot. */
export class Budget {
  private readonly windows = new Map<string, { start: number; used: number }>();
  /** Every refusal: when, for which key, and the wait it announced. */
  readonly refusals: { at: number; key: string; waitMs: number }[] = [];

  constructor(
    public limit: { requests: number; windowMs: number } | null = null,
    private readonly now: () => number = Date.now,
  ) {}

  /** null when allowed; else the seconds to wait. */
  take(key: string): number | null {
    if (!this.limit) return null;
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.limit.windowMs) this.windows.set(key, (w = { start: t, used: 0 }));
    if (w.used < this.limit.requests) {
      w.used += 1;
      return null;
    }
    const wait = (w.start + this.limit.windowMs - t) / 1000;
    this.refusals.push({ at: t, key, waitMs: wait * 1000 });
    return wait;
  }
}
