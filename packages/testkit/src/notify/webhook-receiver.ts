import type { ServerResponse } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { LocalServer, send, type Received } from './local-server';

/**
 * A Standard Webhooks receiver as an integrator would write it: every request is checked with
 * the reference verifier (npm `standardwebhooks`: headers webhook-id, webhook-timestamp within
 * 5 minutes, webhook-signature `v1,…` over `id.timestamp.body`,
 * https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md)
 * and an unverifiable one is refused 401. Tests script the answers: a status (2xx delivers),
 * a Retry-After, a redirect, or no answer at all.
 */
export type ReceiverAnswer =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { hang: true }
  | { delayMs: number; status: number };

export interface Delivered extends Received {
  verified: boolean;
  payload: { type: string; timestamp: string; data: Record<string, unknown>; message?: string } | null;
}

export class WebhookReceiver {
  readonly server: LocalServer;
  /** Answers to give, in order; when empty, 200. */
  readonly script: ReceiverAnswer[] = [];
  private verifier: Webhook | null = null;

  constructor(secret?: string) {
    if (secret) this.verifier = new Webhook(secret);
    this.server = new LocalServer((req, res) => this.answer(req.headers as Record<string, string>, req.body, res));
  }

  /** The endpoint's secret (shown once at creation): from now on signatures are verified. */
  useSecret(secret: string): void {
    this.verifier = new Webhook(secret);
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  url(path = '/hooks/utm'): string {
    return `${this.server.url}${path}`;
  }

  /** Every request, verified or not, in arrival order. */
  get requests(): Delivered[] {
    return this.server.received.map((r) => {
      const verified = this.verify(r.headers as Record<string, string>, r.body);
      return { ...r, verified, payload: verified ? (JSON.parse(r.body) as Delivered['payload']) : null };
    });
  }

  /** Requests that passed verification and were answered 2xx. */
  get delivered(): Delivered[] {
    return this.requests.filter((r) => r.verified && r.status >= 200 && r.status < 300);
  }

  close(): Promise<void> {
    return this.server.close();
  }

  private verify(headers: Record<string, string>, body: string): boolean {
    if (!this.verifier) return false;
    try {
      this.verifier.verify(body, headers);
      return true;
    } catch {
      return false;
    }
  }

  private async answer(headers: Record<string, string>, body: string, res: ServerResponse): Promise<number | 'hang'> {
    if (!this.verify(headers, body)) return send(res, 401, { error: 'invalid signature' });
    const next = this.script.shift() ?? { status: 200 };
    if ('hang' in next) return 'hang';
    if ('delayMs' in next) await new Promise((r) => setTimeout(r, next.delayMs));
    return send(
      res,
      next.status,
      'body' in next && next.body !== undefined ? next.body : '',
      'headers' in next ? next.headers : {},
    );
  }
}
