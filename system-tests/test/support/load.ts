import { Agent, request } from 'node:http';
import type { Fixture } from '@utm/testkit';

/** One POST /api/v1/signals/ingest as the provider saw it: an HTTP answer, or a transport error. */
export interface Attempt {
  idempotencyKey: string;
  accountId: string;
  gateway: string;
  status?: number;
  signalId?: string;
  /** The response's Connection header. */
  connection?: string;
  errorCode?: string;
  /** Transport errors only: what the socket said (ECONNREFUSED, ECONNRESET, …). */
  transport?: string;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: Record<string, unknown>;
}

/** A POST over node:http (with `agent`, kept-alive connections are reused as a provider's client does). */
export function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  agent?: Agent,
  timeoutMs = 15000,
): Promise<Answer> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        timeout: timeoutMs,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown>;
          try {
            json = JSON.parse(raw) as Record<string, unknown>;
          } catch {
            return reject(new Error(`status ${res.statusCode}: not JSON: ${raw.slice(0, 200)}`));
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('no answer in time'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end(text);
  });
}

const transportCode = (err: unknown): string =>
  err && typeof err === 'object' && 'code' in err
    ? String((err as { code: unknown }).code)
    : err instanceof Error
      ? err.message
      : String(err);

export interface LoadOptions {
  /** Where to send; asked before every request (a restarted gateway may move). */
  gateways: () => string[];
  fixtures: Fixture[];
  body: (f: Fixture, n: number) => Record<string, unknown>;
  /** Concurrent senders. */
  senders: number;
  /** Each sender's pause between two requests (keeps the offered rate within what the machine drains). */
  pauseMs: number;
}

/**
 * A provider sending signals continuously over kept-alive connections, each with an
 * idempotency key of its own, at a bounded pace, recording every answer. When the gateway
 * cannot be reached it sends the next one (a new key: whether a lost request was accepted is
 * exactly what the test checks, so it is never resent).
 */
export class SignalLoad {
  readonly attempts: Attempt[] = [];
  private running = false;
  private senders: Promise<void>[] = [];
  private n = 0;
  private readonly agent: Agent;
  private readonly runId = Math.random().toString(36).slice(2, 8);

  constructor(private readonly opts: LoadOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: opts.senders });
  }

  start(): void {
    this.running = true;
    this.senders = Array.from({ length: this.opts.senders }, () => this.send());
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.senders);
    this.agent.destroy();
  }

  accepted(): Attempt[] {
    return this.attempts.filter((a) => a.status === 202);
  }

  /** Resolves once `count` more signals have been accepted than when it was called. */
  async acceptMore(count: number, timeoutMs = 20000): Promise<void> {
    const target = this.accepted().length + count;
    const deadline = Date.now() + timeoutMs;
    while (this.accepted().length < target) {
      if (Date.now() > deadline)
        throw new Error(
          `load: ${this.accepted().length} accepted, waited for ${target}; last answers: ${JSON.stringify(this.attempts.slice(-5))}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async send(): Promise<void> {
    while (this.running) {
      const n = this.n++;
      const f = this.opts.fixtures[n % this.opts.fixtures.length] as Fixture;
      const targets = this.opts.gateways();
      const gateway = targets[n % targets.length] ?? '';
      const attempt: Attempt = { idempotencyKey: `load-${this.runId}-${n}`, accountId: f.accountId, gateway };
      this.attempts.push(attempt);
      try {
        const res = await postJson(
          `${gateway}/api/v1/signals/ingest`,
          { 'x-api-key': f.apiKey },
          { ...this.opts.body(f, n), accountId: f.accountId, idempotencyKey: attempt.idempotencyKey },
          this.agent,
        );
        attempt.status = res.status;
        attempt.connection = String(res.headers.connection ?? '');
        if (typeof res.json.signalId === 'string') attempt.signalId = res.json.signalId;
        if (typeof res.json.error === 'string') attempt.errorCode = res.json.error;
      } catch (err) {
        attempt.transport = transportCode(err);
      }
      await new Promise((r) => setTimeout(r, this.opts.pauseMs));
    }
  }
}
