/**
 * Order updates from Alpaca: the trade_updates WebSocket stream, with polling while it is down.
 *
 * Sources: https://docs.alpaca.markets/docs/websocket-streaming (also
 * https://github.com/alpacahq/alpaca-docs/blob/master/content/api-references/trading-api/streaming.md):
 * connect to wss://{paper-}api.alpaca.markets/stream, authenticate, then
 * {"action":"listen","data":{"streams":["trade_updates"]}}, acknowledged on the "listening"
 * stream; events {"stream":"trade_updates","data":{"event", "order", "execution_id", "qty",
 * "price", "timestamp", "position_qty"}}. The paper stream sends binary frames, the docs say,
 * others text: both are read.
 *
 * Interpretations:
 * - Authentication: the docs repository's page (and alpaca-py) use {"action":"authenticate",
 *   "data":{"key_id","secret_key"}}; Alpaca's TypeScript SDK (alpacahq/typescript-sdk,
 *   factory/createStream.ts) sends {"action":"auth","key","secret"} to the same endpoint, the
 *   shape of Alpaca's other streams. We send the latter first and, when it is answered
 *   "unauthorized", the documented older shape once on the same connection (both are cheap,
 *   and whichever shape the endpoint takes, we are in); the answer either way is
 *   {"stream":"authorization","data":{"status":"authorized"}}. Refused in both shapes (bad
 *   credentials): reported and retried with backoff (polling covers the meantime).
 * - Alpaca does not replay missed events after a reconnect: while the stream is down, and once
 *   more when it is back, a poll covers the gap (gap-poller.ts).
 * - "fill"/"partial_fill" `price` is documented as "the average price per share at which the
 *   order was filled", and the one example (a single execution filling the whole order) cannot
 *   tell an execution's price from the order's average. We read it, with `qty`, as the
 *   execution's (the event reports one execution); the order's own filled_avg_price, in
 *   update.order, stays the authority for the order's average.
 */
import WebSocket, { type RawData } from 'ws';
import type { AlpacaCredentials } from '@utm/security';
import type { BrokerOrderUpdate } from '../broker/types';
import { AlpacaBroker } from './alpaca-broker';
import type { RetryPolicy } from './client';
import type { RequestBudget } from './request-budget';
import { GapPoller } from './gap-poller';
import { asRecord } from './json';
import { OrderTracker } from './order-tracker';
import { decodeFrame, parseTradeUpdate } from './stream-messages';

export type UpdatesState = 'idle' | 'connecting' | 'streaming' | 'polling' | 'stopped';

export interface AlpacaUpdatesOptions {
  baseUrl: string;
  streamUrl: string;
  credentials: AlpacaCredentials;
  /** Bound on each REST call, and on the stream's handshake and authentication. */
  timeoutMs: number;
  pollIntervalMs: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /** A socket that answers no ping within this time is dropped (a silently dead connection). */
  heartbeatMs?: number;
  /** How far before the disconnect a poll looks for new orders (clock skew with Alpaca). */
  pollLookbackMs?: number;
  fetch?: typeof fetch;
  retry?: Partial<RetryPolicy>;
  now?: () => Date;
  /** The account's request budget: polls take the poll priority in it. */
  budget?: RequestBudget;
}

type Listener<T> = (value: T) => void;

export class AlpacaUpdates {
  private readonly broker: AlpacaBroker;
  private readonly tracker = new OrderTracker();
  private readonly poller: GapPoller;
  private readonly listeners = new Set<Listener<BrokerOrderUpdate>>();
  private readonly errorListeners = new Set<Listener<Error>>();
  private readonly now: () => Date;
  private current: UpdatesState = 'idle';
  private ws: WebSocket | null = null;
  private attempt = 0;
  private timers = new Set<NodeJS.Timeout>();
  private pollTimer: NodeJS.Timeout | null = null;
  /** Polls look for orders submitted after this moment (less the lookback). */
  private windowStart = new Date(0);

  constructor(private readonly opts: AlpacaUpdatesOptions) {
    this.broker = new AlpacaBroker({ ...opts, priority: 'poll' });
    this.now = opts.now ?? (() => new Date());
    this.poller = new GapPoller(this.broker, this.tracker, opts.pollLookbackMs ?? 60_000, {
      emit: (u) => this.emit(u),
      report: (e) => this.report(e),
      now: this.now,
      windowStart: () => this.windowStart,
      stopped: () => this.current === 'stopped',
    });
  }

  /** For readiness and metrics: 'streaming' is healthy, 'polling' is the degraded fallback. */
  get state(): UpdatesState {
    return this.current;
  }

  get connected(): boolean {
    return this.current === 'streaming';
  }

  onUpdate(cb: Listener<BrokerOrderUpdate>): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Connection and poll failures (already handled: reconnect, next poll) for logs and metrics. */
  onError(cb: Listener<Error>): () => void {
    this.errorListeners.add(cb);
    return () => this.errorListeners.delete(cb);
  }

  /** Records the open orders as they are now (reported only when they change), then connects. */
  async start(): Promise<void> {
    if (this.current !== 'idle') return;
    this.windowStart = this.now();
    this.current = 'connecting';
    await this.poller.poll();
    if (this.current === 'connecting') this.connect();
  }

  async stop(): Promise<void> {
    this.current = 'stopped';
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.terminate();
    await this.poller.settled();
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private connect(): void {
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.opts.streamUrl, { handshakeTimeout: this.opts.timeoutMs });
    } catch (err) {
      // A URL the ws package refuses: reported, and treated like a failed connection.
      this.report(new Error(`Alpaca stream: cannot connect (${(err as Error).message})`));
      return this.onDisconnect();
    }
    this.ws = ws;
    let alive = true;
    const heartbeat = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      if (ws.readyState === WebSocket.OPEN) ws.ping();
    }, this.opts.heartbeatMs ?? 30_000);
    const authTimer = setTimeout(() => {
      if (this.ws === ws && this.current !== 'streaming') {
        this.report(new Error(`Alpaca stream: not subscribed within ${this.opts.timeoutMs} ms`));
        ws.terminate();
      }
    }, this.opts.timeoutMs);
    ws.on('pong', () => (alive = true));
    ws.on('open', () => ws.send(JSON.stringify(this.authMessage(0))));
    ws.on('message', (data) => {
      alive = true;
      if (this.ws === ws) this.onMessage(ws, data);
    });
    ws.on('error', (err) => this.report(new Error(`Alpaca stream: ${err.message}`)));
    ws.on('close', () => {
      clearInterval(heartbeat);
      clearTimeout(authTimer);
      if (this.ws === ws) this.onDisconnect();
    });
  }

  /** Connections on which the second authentication shape was already tried. */
  private readonly authRetried = new WeakSet<WebSocket>();

  /** 0: {"action":"auth","key","secret"}; 1: {"action":"authenticate","data":{"key_id","secret_key"}}. */
  private authMessage(shape: 0 | 1): Record<string, unknown> {
    const { keyId, secretKey } = this.opts.credentials;
    return shape === 0
      ? { action: 'auth', key: keyId, secret: secretKey }
      : { action: 'authenticate', data: { key_id: keyId, secret_key: secretKey } };
  }

  private onMessage(ws: WebSocket, data: RawData): void {
    let messages: Record<string, unknown>[];
    try {
      messages = decodeFrame(data);
    } catch (err) {
      return this.report(new Error(`Alpaca stream: unreadable message (${(err as Error).message})`));
    }
    for (const msg of messages) {
      try {
        this.onStreamMessage(ws, msg);
      } catch (err) {
        this.report(err as Error);
      }
    }
  }

  private onStreamMessage(ws: WebSocket, msg: Record<string, unknown>): void {
    const data = asRecord(msg.data, 'stream message data');
    switch (msg.stream) {
      case 'authorization':
        if (data.status === 'authorized')
          return ws.send(JSON.stringify({ action: 'listen', data: { streams: ['trade_updates'] } }));
        if (data.action !== 'listen' && !this.authRetried.has(ws)) {
          this.authRetried.add(ws);
          return ws.send(JSON.stringify(this.authMessage(1)));
        }
        this.report(new Error(`Alpaca stream: authorization ${String(data.status)} (${String(data.action)})`));
        return ws.close();
      case 'listening':
        if (Array.isArray(data.streams) && data.streams.includes('trade_updates')) return this.onSubscribed();
        this.report(new Error('Alpaca stream: trade_updates is not among the streams listened to'));
        return ws.close();
      case 'trade_updates':
        return this.onTradeUpdate(data);
      default:
        return; // other streams are not ours to read
    }
  }

  private onSubscribed(): void {
    this.current = 'streaming';
    this.attempt = 0;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    // The stream does not replay what happened while it was down: one last look.
    void this.poller.poll();
  }

  private onTradeUpdate(data: Record<string, unknown>): void {
    const { order, fill } = parseTradeUpdate(data);
    const update = this.tracker.fromStream(order, fill, this.now());
    if (update) this.emit(update);
  }

  private onDisconnect(): void {
    this.ws = null;
    if (this.current === 'stopped') return;
    if (this.current === 'streaming') this.windowStart = this.now();
    this.current = 'polling';
    if (!this.pollTimer) this.pollLoop();
    const min = this.opts.reconnectMinMs ?? 1000;
    const delay = Math.min(this.opts.reconnectMaxMs ?? 30_000, min * 2 ** this.attempt++);
    this.later(delay, () => {
      if (this.current !== 'stopped') this.connect();
    });
  }

  private pollLoop(): void {
    void this.poller.poll().then(() => {
      if (this.current !== 'polling') return (this.pollTimer = null);
      this.pollTimer = setTimeout(() => this.pollLoop(), this.opts.pollIntervalMs);
    });
  }

  private emit(update: BrokerOrderUpdate): void {
    for (const cb of this.listeners) {
      try {
        cb(update);
      } catch (err) {
        this.report(err instanceof Error ? err : new Error(String(err)));
      }
    }
  }

  private report(err: Error): void {
    const message = this.broker.client.redact(err.message);
    // The original is kept as the cause only when it had nothing to hide.
    const safe = new Error(message, message === err.message ? { cause: err } : undefined);
    for (const cb of this.errorListeners) cb(safe);
  }
}
