import type { AlpacaServerOptions, AlpacaTestServer } from '../src';
import { startAlpacaServer } from '../src';

export interface Answer {
  status: number;
  body: { code?: number; message?: string; [k: string]: unknown };
  headers: Headers;
}

/** One request to the server, as a client with the right keys sends it. */
export async function call(server: AlpacaTestServer, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      'APCA-API-KEY-ID': server.keyId,
      'APCA-API-SECRET-KEY': server.secretKey,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Answer['body']) : {}, headers: res.headers };
}

export const order = (server: AlpacaTestServer, body: Record<string, unknown>) =>
  call(server, 'POST', '/v2/orders', body);

/** A fresh server per test, closed after it. */
export function aroundServer(opts: AlpacaServerOptions = {}): () => AlpacaTestServer {
  let server: AlpacaTestServer | undefined;
  beforeEach(async () => {
    server = await startAlpacaServer(opts);
  });
  afterEach(async () => {
    await server?.close();
  });
  return () => {
    if (!server) throw new Error('no server');
    return server;
  };
}

export async function until(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
