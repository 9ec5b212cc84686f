/**
 * The trade_updates WebSocket of the Alpaca contract server (path /stream on the same server).
 *
 * Source: https://docs.alpaca.markets/docs/websocket-streaming and
 * https://github.com/alpacahq/alpaca-docs/blob/master/content/api-references/trading-api/streaming.md
 * Authentication shapes: {"action":"auth","key","secret"} (current page, Alpaca's TypeScript
 * SDK) and {"action":"authenticate","data":{"key_id","secret_key"}} (the older page,
 * alpaca-py); `authShapes` says which this server takes (both by default), since which one
 * the live endpoint takes is not settled by the docs. A shape it does not take is answered
 * "unauthorized", as a refusal. Answers: {"stream":"authorization","data":{"status":"authorized"|
 * "unauthorized","action":"authenticate"}}; a listen before authorization is answered
 * "unauthorized" with action "listen"; {"stream":"listening","data":{"streams":[...]}}.
 * Frames are binary, as the docs say the paper endpoint sends them; tests may switch to text.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

interface Client {
  ws: WebSocket;
  authorized: boolean;
  listening: boolean;
}

export class StreamHub {
  /** Every message a client sent, parsed, in order. */
  readonly received: Record<string, unknown>[] = [];
  frames: 'binary' | 'text' = 'binary';
  /** The authentication shapes taken. */
  authShapes: ReadonlySet<'auth' | 'authenticate'> = new Set(['auth', 'authenticate'] as const);
  /** While false, connections are refused at the upgrade (the stream endpoint is down). */
  accepting = true;
  connections = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly clients = new Set<Client>();

  constructor(
    private readonly keyId: string,
    private readonly secretKey: string,
  ) {}

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client that resets its connection is one of the failures the tests make: not an error here.
    socket.on('error', () => socket.destroy());
    if (!this.accepting || new URL(req.url ?? '/', 'http://x').pathname !== '/stream') {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  get listeners(): number {
    return [...this.clients].filter((c) => c.listening).length;
  }

  private attach(ws: WebSocket): void {
    this.connections++;
    const client: Client = { ws, authorized: false, listening: false };
    this.clients.add(client);
    ws.on('close', () => this.clients.delete(client));
    ws.on('error', () => this.clients.delete(client));
    ws.on('message', (data: Buffer) => {
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      } catch {
        return this.send(client, { stream: 'error', data: { message: 'invalid syntax' } });
      }
      this.received.push(msg);
      this.onMessage(client, msg);
    });
  }

  private onMessage(client: Client, msg: Record<string, unknown>): void {
    const data = (msg.data ?? {}) as Record<string, unknown>;
    if (msg.action === 'auth' || msg.action === 'authenticate') {
      const key = msg.action === 'auth' ? msg.key : data.key_id;
      const secret = msg.action === 'auth' ? msg.secret : data.secret_key;
      client.authorized = this.authShapes.has(msg.action) && key === this.keyId && secret === this.secretKey;
      return this.send(client, {
        stream: 'authorization',
        data: { status: client.authorized ? 'authorized' : 'unauthorized', action: 'authenticate' },
      });
    }
    if (msg.action === 'listen') {
      if (!client.authorized)
        return this.send(client, { stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } });
      const streams = Array.isArray(data.streams) ? data.streams.filter((s) => s === 'trade_updates') : [];
      client.listening = streams.length > 0;
      return this.send(client, { stream: 'listening', data: { streams } });
    }
  }

  /** Sends a trade_updates event to every listening client. */
  broadcast(data: Record<string, unknown>): void {
    for (const c of this.clients) if (c.listening) this.send(c, { stream: 'trade_updates', data });
  }

  /** Drops every connection without a close handshake (a network failure). */
  drop(): void {
    for (const c of this.clients) c.ws.terminate();
    this.clients.clear();
  }

  close(): void {
    this.drop();
    this.wss.close();
  }

  private send(client: Client, msg: unknown): void {
    const text = JSON.stringify(msg);
    client.ws.send(this.frames === 'binary' ? Buffer.from(text, 'utf8') : text, { binary: this.frames === 'binary' });
  }
}
