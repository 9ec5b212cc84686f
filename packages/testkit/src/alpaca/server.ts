/**
 * A local server that speaks Alpaca's Trading API v2 contract for the endpoints the adapter
 * uses, plus the trade_updates WebSocket at /stream, with per-test controls for the failures
 * the adapter must survive. One per test, on port 0.
 *
 * Sources: https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml,
 * https://docs.alpaca.markets/docs/orders-at-alpaca, https://docs.alpaca.markets/docs/websocket-streaming,
 * https://alpaca.markets/deprecated/docs/api-documentation/api-v2 (APCA-API-KEY-ID /
 * APCA-API-SECRET-KEY headers). Wrong keys: 401 {"code":40110000,"message":"request is not
 * authorized"} as Alpaca answers them (alpacahq/alpaca-py#391).
 *
 * Strict, as the real one is: the order rules (entry-rules.ts, position-rules.ts), assets
 * (assets.ts), 200 requests a minute per key (rate-limit.ts; `rateLimit` changes it for a test),
 * asynchronous cancels (`pendingCancelMs`: how long a cancel stays pending_cancel; `rejectCancel`:
 * the next cancel of an order is rejected). Faults injected by a test come on top of that.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from '@utm/db';
import { AssetBook } from './assets';
import { OrderBook, type CreateContext, type ServerOrder } from './orders';
import { ALPACA_RATE_LIMIT, RequestWindow, type RateLimit } from './rate-limit';
import { releaseReplacement, replaceOrder, type TradeEvent } from './replace';
import { StreamHub } from './stream';

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answers (the client's timeout must fire). */
  | { kind: 'hang' }
  /**
   * POST /v2/orders or PATCH /v2/orders/{id}: the order (or its replacement) is created, then no
   * answer ever comes. `quiet`: and its trade_updates events are lost too (the stream missed
   * them; Alpaca does not replay).
   */
  | { kind: 'acceptThenHang'; quiet?: boolean }
  /** Likewise, then the connection is reset. */
  | { kind: 'acceptThenDrop'; quiet?: boolean }
  /** PATCH /v2/orders/{id}: the order fills (its events sent) just before the replace is processed. */
  | { kind: 'fillFirst'; price: string };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
}

export interface AlpacaServerOptions {
  keyId?: string;
  secretKey?: string;
  cash?: string;
  /** Status of a newly accepted order: 'new' (routed) or 'accepted' (outside market hours). */
  acceptAs?: 'new' | 'accepted';
  /** Default 200 requests per 60 s. */
  rateLimit?: RateLimit;
  /** How long a cancel stays pending_cancel before it is final (default 25 ms; 0: at once). */
  pendingCancelMs?: number;
}

/** One trade_updates event's data, as sent. */
export type TradeUpdate = Record<string, unknown>;

interface FaultRule {
  method: string;
  path: string | RegExp;
  fault: Fault;
  times: number;
}

export class AlpacaTestServer {
  readonly book = new OrderBook();
  readonly assets = new AssetBook();
  readonly window: RequestWindow;
  /** How long a cancel stays pending_cancel (ms); 0: final at once. */
  pendingCancelMs: number;
  /** Orders (Alpaca ids) whose next cancel is rejected once pending (order_cancel_rejected). */
  readonly rejectCancel = new Set<string>();
  /** Symbols whose market orders fill as soon as they are accepted, at this price (a liquid market). */
  readonly marketFills = new Map<string, string>();
  private readonly cancelTimers = new Set<NodeJS.Timeout>();
  readonly requests: RecordedRequest[] = [];
  readonly stream: StreamHub;
  readonly keyId: string;
  readonly secretKey: string;
  url = '';
  streamUrl = '';
  cash: string;
  /** The last trade_updates event sent, to replay it. */
  lastEvent: Record<string, unknown> | null = null;
  /** Every trade_updates event sent, in order. */
  readonly events: TradeUpdate[] = [];
  /**
   * Every refusal of an order request (POST, PATCH or DELETE answered 4xx by the rules, not by
   * an injected fault): what a client that fits Alpaca's rules never sees.
   */
  readonly refusals: { method: string; path: string; status: number; body: unknown }[] = [];
  /** While true, a replacement waits (old order pending_replace, new one pending_new) for releaseReplacement. */
  holdReplacements = false;
  private readonly faults: FaultRule[] = [];
  // A client gone mid-request (reset, killed) ends that exchange, not the test run.
  private readonly http = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));

  constructor(private readonly opts: AlpacaServerOptions = {}) {
    this.keyId = opts.keyId ?? 'PKTESTKEYID0000000000';
    this.secretKey = opts.secretKey ?? 'test-secret-9f8e7d6c5b4a39281706';
    this.cash = opts.cash ?? '100000';
    this.window = new RequestWindow(opts.rateLimit ?? ALPACA_RATE_LIMIT);
    this.pendingCancelMs = opts.pendingCancelMs ?? 25;
    this.stream = new StreamHub(this.keyId, this.secretKey);
    this.http.on('upgrade', (req, socket, head) => this.stream.handleUpgrade(req, socket, head));
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    const { port } = this.http.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    this.streamUrl = `ws://127.0.0.1:${port}/stream`;
    return this;
  }

  async close(): Promise<void> {
    for (const t of this.cancelTimers) clearTimeout(t);
    this.stream.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** The next `times` requests matching method and path meet `fault`. */
  fault(method: string, path: string | RegExp, fault: Fault, times = 1): void {
    this.faults.push({ method, path, fault, times });
  }

  /** Requests that reached a route (faulted ones included), for one method and path. */
  calls(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  order(ref: string): ServerOrder {
    return this.book.find(ref);
  }

  /** Fills an order (all of what is left, or `qty`) and sends the trade_updates event. */
  fill(ref: string, price: string, qty?: string): string {
    const x = this.book.fill(ref, new Decimal(price), qty === undefined ? undefined : new Decimal(qty));
    this.emit({
      event: x.event,
      execution_id: x.executionId,
      order: this.book.toJson(x.order, true),
      position_qty: x.positionQty.toFixed(),
      price: x.price.toFixed(),
      qty: x.qty.toFixed(),
      timestamp: x.timestamp,
    });
    this.emitAll([
      ...x.canceled.map((order) => ({ event: 'canceled', order })),
      ...x.rejected.map((order) => ({ event: 'rejected', order })),
    ]);
    return x.executionId;
  }

  /** A replacement held by holdReplacements reaches the venue (its events are sent). */
  releaseReplacement(ref: string): void {
    this.emitAll(releaseReplacement(this.book, ref));
  }

  private emitAll(events: TradeEvent[]): void {
    for (const e of events)
      this.emit({ event: e.event, order: this.book.toJson(e.order, true), timestamp: e.order.updated_at });
  }

  /** Moves an order to any Alpaca status and sends the matching event. */
  setStatus(ref: string, status: string): void {
    const o = this.book.find(ref);
    this.book.setStatus(o, status);
    this.emitAll([{ event: status, order: o }]);
  }

  /** Sends a trade_updates event to the listening clients. */
  emit(data: Record<string, unknown>): void {
    this.lastEvent = data;
    this.events.push(data);
    this.stream.broadcast(data);
  }

  setPosition(symbol: string, qty: string, avgPrice: string): void {
    this.book.positions.set(symbol, { qty: new Decimal(qty), avg: new Decimal(avgPrice) });
  }

  /** The symbol's current market price, for the rules that use one (stop threshold, buying power). */
  setPrice(symbol: string, price: string): void {
    this.book.lastPrice.set(symbol, new Decimal(price));
  }

  /** Changes an asset's flags or increments (GET /v2/assets and the order rules see it). */
  setAsset(symbol: string, fields: Parameters<AssetBook['set']>[1]): void {
    this.assets.set(symbol, fields);
  }

  /** What the order book needs to create an order (a test that calls book.create directly passes it). */
  get ctx(): CreateContext {
    return { asset: (s) => this.assets.find(s), cash: new Decimal(this.cash) };
  }

  /** DELETE: the group goes pending_cancel, and after pendingCancelMs canceled (or the cancel is rejected). */
  private startCancel(id: string, res: ServerResponse): void {
    const r = this.book.requestCancel(id);
    if (r.status !== 204) return this.reply(res, r.status, r.body);
    const finish = () => {
      for (const o of r.pending) {
        const reject = this.rejectCancel.delete(o.id);
        const done = this.book.finishCancel(o, reject);
        if (done) this.emitAll([done]);
      }
    };
    if (this.pendingCancelMs <= 0) {
      finish();
    } else {
      this.emitAll(r.pending.map((order) => ({ event: 'pending_cancel', order })));
      const t = setTimeout(() => {
        this.cancelTimers.delete(t);
        finish();
      }, this.pendingCancelMs);
      this.cancelTimers.add(t);
    }
    res.writeHead(204).end();
  }

  /** GET /v2/orders: status open|closed|all, after (exclusive, on submitted_at), direction, limit, nested. */
  private listOrders(q: URLSearchParams): Record<string, unknown>[] {
    const status = q.get('status') ?? 'open';
    const nested = q.get('nested') === 'true';
    const after = q.get('after');
    let list = [...this.book.orders.values()].filter((o) => !(nested && o.parentId !== null));
    if (status === 'open') list = list.filter((o) => this.book.isOpen(o));
    if (status === 'closed') list = list.filter((o) => !this.book.isOpen(o));
    if (after) list = list.filter((o) => o.submitted_at > new Date(after).toISOString());
    list.sort((a, b) => a.submitted_at.localeCompare(b.submitted_at));
    if ((q.get('direction') ?? 'desc') === 'desc') list.reverse();
    return list.slice(0, Math.min(Number(q.get('limit') ?? 50), 500)).map((o) => this.book.toJson(o, nested));
  }

  /** GET /v2/positions (position.yaml): side long/short; a short's qty signed unless told otherwise. */
  private positionsJson(): Record<string, unknown>[] {
    return [...this.book.positions.entries()].map(([symbol, p]) => ({
      asset_id: '00000000-0000-4000-8000-000000000000',
      symbol,
      exchange: symbol.includes('/') ? 'CRYPTO' : 'NASDAQ',
      asset_class: symbol.includes('/') ? 'crypto' : 'us_equity',
      avg_entry_price: p.avg.toFixed(),
      qty: this.book.unsignedShortQty ? p.qty.abs().toFixed() : p.qty.toFixed(),
      side: p.qty.isNeg() ? 'short' : 'long',
      market_value: p.qty.times(p.avg).toFixed(),
      cost_basis: p.qty.times(p.avg).toFixed(),
    }));
  }

  private takeFault(method: string, path: string): Fault | null {
    const rule = this.faults.find(
      (f) => f.method === method && f.times > 0 && (typeof f.path === 'string' ? f.path === path : f.path.test(path)),
    );
    if (!rule) return null;
    rule.times--;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      return send(res, 400, { code: 40010000, message: 'request body format is invalid' });
    }
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query: url.searchParams, headers: req.headers, body });
    if (req.headers['apca-api-key-id'] !== this.keyId || req.headers['apca-api-secret-key'] !== this.secretKey) {
      return send(res, 401, { code: 40110000, message: 'request is not authorized' });
    }
    const budget = this.window.take();
    if (!budget.allowed) return send(res, 429, { code: 42910000, message: 'rate limit exceeded' }, budget.headers);
    for (const [name, value] of Object.entries(budget.headers)) res.setHeader(name, value);
    const fault = this.takeFault(method, url.pathname);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status')
      return send(
        res,
        fault.status,
        fault.body ?? { code: fault.status * 100000, message: 'simulated failure' },
        fault.headers,
      );
    this.route(method, url, body, res, fault);
  }

  /** An answer of the contract itself (not an injected fault): a refused POST, PATCH or DELETE is recorded. */
  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const method = res.req.method ?? 'GET';
    if (status >= 400 && method !== 'GET')
      this.refusals.push({ method, path: new URL(res.req.url ?? '/', this.url).pathname, status, body });
    send(res, status, body, headers);
  }

  private route(method: string, url: URL, body: unknown, res: ServerResponse, fault: Fault | null): void {
    const path = url.pathname;
    const q = url.searchParams;
    const nested = q.get('nested') === 'true';
    if (method === 'GET' && path === '/v2/account') {
      return this.reply(res, 200, {
        id: 'acct',
        account_number: 'PA000TEST',
        status: 'ACTIVE',
        currency: 'USD',
        cash: this.cash,
        buying_power: this.cash,
        equity: this.cash,
      });
    }
    if (method === 'GET' && path === '/v2/positions') return this.reply(res, 200, this.positionsJson());
    if (method === 'GET' && path === '/v2/assets') return this.reply(res, 200, this.assets.list(q));
    const asset = /^\/v2\/assets\/(.+)$/.exec(path);
    if (method === 'GET' && asset) {
      const a = this.assets.find(decodeURIComponent(asset[1] ?? ''));
      return a ? this.reply(res, 200, a) : this.reply(res, 404, { code: 40410000, message: 'asset not found' });
    }
    if (method === 'POST' && path === '/v2/orders') {
      const created = this.book.create((body ?? {}) as Record<string, unknown>, this.opts.acceptAs ?? 'new', this.ctx);
      if ('body' in created) return this.reply(res, created.status, created.body);
      return this.accepted(res, created, [{ event: 'new', order: created }], fault);
    }
    if (method === 'GET' && path === '/v2/orders') return this.reply(res, 200, this.listOrders(q));
    if (method === 'GET' && path === '/v2/orders:by_client_order_id') {
      const o = this.book.byClientId(q.get('client_order_id') ?? '');
      // Not documented as nested: legs come back only from the nested endpoints.
      return o
        ? this.reply(res, 200, this.book.toJson(o, false))
        : this.reply(res, 404, { code: 40410000, message: 'order not found' });
    }
    const byId = /^\/v2\/orders\/([^/]+)$/.exec(path);
    if (byId && method === 'GET') {
      const o = this.book.orders.get(decodeURIComponent(byId[1] ?? ''));
      return o
        ? this.reply(res, 200, this.book.toJson(o, nested))
        : this.reply(res, 404, { code: 40410000, message: 'order not found' });
    }
    if (byId && method === 'PATCH') {
      const id = decodeURIComponent(byId[1] ?? '');
      if (fault?.kind === 'fillFirst') this.fill(id, fault.price);
      const r = replaceOrder(this.book, id, (body ?? {}) as Record<string, unknown>, {
        hold: this.holdReplacements,
        acceptAs: this.opts.acceptAs ?? 'new',
        ctx: this.ctx,
      });
      if ('body' in r) return this.reply(res, r.status, r.body);
      return this.accepted(res, r.order, r.events, fault);
    }
    if (byId && method === 'DELETE') return this.startCancel(decodeURIComponent(byId[1] ?? ''), res);
    this.reply(res, 404, { code: 40410000, message: 'endpoint not found' });
  }

  /** A created (or replacing) order: its events, then the answer, unless a fault says otherwise. */
  private accepted(res: ServerResponse, order: ServerOrder, events: TradeEvent[], fault: Fault | null): void {
    const lost = (fault?.kind === 'acceptThenHang' || fault?.kind === 'acceptThenDrop') && fault.quiet === true;
    if (!lost) this.emitAll(events);
    if (fault?.kind === 'acceptThenHang') return;
    if (fault?.kind === 'acceptThenDrop') return void res.socket?.destroy();
    const price = order.type === 'market' ? this.marketFills.get(order.symbol) : undefined;
    if (price !== undefined) this.fill(order.id, price);
    this.reply(res, 200, this.book.toJson(order, true));
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startAlpacaServer(opts: AlpacaServerOptions = {}): Promise<AlpacaTestServer> {
  return new AlpacaTestServer(opts).listen();
}
