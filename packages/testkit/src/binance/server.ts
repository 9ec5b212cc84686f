/**
 * A local server that speaks Binance's spot REST API (the endpoints ccxt uses to trade spot),
 * strict about what Binance refuses, with per-test controls: the last price, balances, partial
 * fills, a skewed clock, and faults (an order accepted then no answer). One per test, port 0.
 *
 * Sources (github.com/binance/binance-spot-api-docs): rest-api.md (endpoints, parameters,
 * request security, "HTTP Return Codes": 4XX for the sender's errors, 429 rate limit with
 * Retry-After, 5XX "the execution status is UNKNOWN"), errors.md (codes and messages),
 * filters.md (see rules.ts), enums.md. The rules of each part are cited in signing.ts (HMAC,
 * timestamp and recvWindow), rules.ts (exchangeInfo filters) and book.ts (orders, OCO lists,
 * balances).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from '@utm/db';
import { SpotBook, type SpotOrder } from './book';
import { accountJson, listJson, orderJson, tradesJson } from './json';
import { DEFAULT_SYMBOLS, exchangeInfoJson, type SymbolRules } from './rules';
import { checkSigned, err, mandatory, requestParams, type BinanceError } from './signing';

export type BinanceFault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Never answers. */
  | { kind: 'hang' }
  /** POST order / orderList: the order is created, then no answer ever comes. */
  | { kind: 'acceptThenHang' }
  /** Likewise, then the connection is reset. */
  | { kind: 'acceptThenDrop' };

export interface BinanceRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingMessage['headers'];
}

export interface BinanceServerOptions {
  apiKey?: string;
  secret?: string;
  symbols?: SymbolRules[];
  /** Starting balances, e.g. {USDT: '10000'}. */
  balances?: Record<string, string>;
}

interface FaultRule {
  method: string;
  path: string;
  fault: BinanceFault;
  times: number;
}

const SIGNED = new Set([
  'POST /api/v3/order',
  'GET /api/v3/order',
  'DELETE /api/v3/order',
  'GET /api/v3/openOrders',
  'GET /api/v3/account',
  'POST /api/v3/orderList/oco',
  'GET /api/v3/orderList',
  'DELETE /api/v3/orderList',
  'GET /api/v3/openOrderList',
  'GET /api/v3/myTrades',
]);

export class BinanceSpotServer {
  readonly apiKey: string;
  readonly secret: string;
  readonly book: SpotBook;
  readonly requests: BinanceRequest[] = [];
  url = '';
  /** Added to this machine's clock: the exchange's time (a skewed client meets -1021). */
  clockOffsetMs = 0;
  private readonly faults: FaultRule[] = [];
  private readonly http = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));

  constructor(opts: BinanceServerOptions = {}) {
    this.apiKey = opts.apiKey ?? 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
    this.secret = opts.secret ?? 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';
    this.book = new SpotBook(opts.symbols ?? DEFAULT_SYMBOLS, () => this.serverTime());
    for (const [asset, amount] of Object.entries(opts.balances ?? { USDT: '100000' }))
      this.book.balance(asset).free = new Decimal(amount);
  }

  serverTime(): number {
    return Date.now() + this.clockOffsetMs;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /** ccxt's `urls.api` for this server (binance's REST API groups that spot trading uses). */
  ccxtUrls(): Record<string, string> {
    return {
      public: `${this.url}/api/v3`,
      private: `${this.url}/api/v3`,
      v1: `${this.url}/api/v1`,
      sapi: `${this.url}/sapi/v1`,
    };
  }

  /** The next `times` requests to method + path (e.g. 'POST', '/api/v3/order') meet `fault`. */
  fault(method: string, path: string, fault: BinanceFault, times = 1): void {
    this.faults.push({ method, path, fault, times });
  }

  calls(method: string, path: string): BinanceRequest[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  /** The market trades at `price` (a Binance id, e.g. BTCUSDT): resting orders it reaches execute. */
  setPrice(symbol: string, price: string): SpotOrder[] {
    return this.book.setPrice(symbol, new Decimal(price));
  }

  /** What a MARKET order on `symbol` can find from now on (the rest of it expires). */
  setLiquidity(symbol: string, qty: string): void {
    this.book.liquidity.set(symbol, new Decimal(qty));
  }

  /** The taker commission rate, charged in the asset each execution receives (0 unless set). */
  setCommission(rate: string): void {
    this.book.takerCommission = new Decimal(rate);
  }

  setBalance(asset: string, free: string): void {
    this.book.balance(asset).free = new Decimal(free);
  }

  order(ref: string | number): SpotOrder {
    return this.book.find(ref);
  }

  /** Executes `qty` of an open order (default all that is left) at `price` (default its own, else the last). */
  fill(ref: string | number, qty?: string, price?: string): SpotOrder {
    const o = this.book.find(ref);
    this.book.fill(
      o,
      qty === undefined ? undefined : new Decimal(qty),
      price === undefined ? undefined : new Decimal(price),
    );
    return o;
  }

  private takeFault(method: string, path: string): BinanceFault | null {
    const rule = this.faults.find((f) => f.method === method && f.path === path && f.times > 0);
    if (!rule) return null;
    rule.times--;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const rawQuery = url.search.replace(/^\?/, '');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const params = requestParams(rawQuery, rawBody);
    this.requests.push({ method, path, params, headers: req.headers });
    const route = `${method} ${path}`;
    if (SIGNED.has(route)) {
      const header = req.headers['x-mbx-apikey'];
      const refused = checkSigned(
        { apiKey: Array.isArray(header) ? header[0] : header, rawQuery, rawBody, serverTime: this.serverTime() },
        { apiKey: this.apiKey, secret: this.secret },
      );
      if (refused) return sendError(res, refused);
    }
    const fault = this.takeFault(method, path);
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'status')
      return send(
        res,
        fault.status,
        fault.body ?? { code: -1000, msg: 'An unknown error occurred while processing the request.' },
        fault.headers,
      );
    const answer = this.route(route, params);
    if (answer === null) return send(res, 404, { code: -1000, msg: `No such endpoint: ${route}` });
    if ('code' in answer && typeof answer.code === 'number' && 'http' in answer)
      return sendError(res, answer as BinanceError);
    if (fault?.kind === 'acceptThenHang') return;
    if (fault?.kind === 'acceptThenDrop') return void res.socket?.destroy();
    send(res, 200, answer);
  }

  private route(route: string, p: URLSearchParams): Record<string, unknown> | unknown[] | BinanceError | null {
    const book = this.book;
    switch (route) {
      case 'GET /api/v3/ping':
        return {};
      case 'GET /api/v3/time':
        return { serverTime: this.serverTime() };
      case 'GET /api/v3/exchangeInfo':
        return exchangeInfoJson(book.symbols, this.serverTime());
      case 'GET /api/v3/account':
        return accountJson(book, this.serverTime());
      case 'POST /api/v3/order': {
        const o = book.newOrder(p);
        if ('code' in o) return o;
        const resp = p.get('newOrderRespType') ?? (o.type === 'MARKET' || o.type === 'LIMIT' ? 'FULL' : 'ACK');
        return orderJson(o, resp === 'ACK' || resp === 'RESULT' ? resp : 'FULL');
      }
      case 'GET /api/v3/order':
      case 'DELETE /api/v3/order': {
        const found = this.lookup(p);
        const unknown = route.startsWith('GET')
          ? err(-2013, 'Order does not exist.')
          : err(-2011, 'Unknown order sent.');
        if (found === null) return unknown;
        if ('code' in found) return found;
        if (route.startsWith('GET')) return orderJson(found, 'QUERY');
        if (!book.isOpen(found)) return unknown;
        book.cancel(found);
        return orderJson(found, 'RESULT');
      }
      case 'GET /api/v3/openOrders': {
        const symbol = p.get('symbol');
        if (symbol && !book.rules(symbol)) return err(-1121, 'Invalid symbol.');
        return book.orders
          .filter((o) => book.isOpen(o) && (!symbol || o.symbol === symbol))
          .map((o) => orderJson(o, 'QUERY'));
      }
      case 'POST /api/v3/orderList/oco': {
        const made = book.newOco(p);
        if ('code' in made) return made;
        const resp = p.get('newOrderRespType');
        return listJson(book, made.list, resp === 'FULL' ? 'FULL' : 'RESULT');
      }
      case 'GET /api/v3/orderList': {
        const list = this.lookupList(p, 'origClientOrderId');
        return list ?? err(-2013, 'Order list does not exist.');
      }
      case 'DELETE /api/v3/orderList': {
        if (!p.get('symbol')) return mandatory('symbol');
        const l = this.findList(p, 'listClientOrderId');
        if (!l || l.done) return err(-2011, 'Unknown order sent.');
        const first = book.byOrderId(l.symbol, l.orderIds[0] ?? -1);
        if (first) book.cancel(first);
        return listJson(book, l, 'RESULT');
      }
      case 'GET /api/v3/myTrades': {
        // rest-api.md "Account trade list": symbol mandatory, orderId only with it.
        const symbol = p.get('symbol');
        if (!symbol) return mandatory('symbol');
        if (!book.rules(symbol)) return err(-1121, 'Invalid symbol.');
        const orderId = p.get('orderId');
        return book.orders
          .filter((o) => o.symbol === symbol && (orderId === null || o.orderId === Number(orderId)))
          .flatMap((o) => tradesJson(o));
      }
      case 'GET /api/v3/openOrderList':
        return book.lists.filter((l) => !l.done).map((l) => listJson(book, l));
      default:
        return null;
    }
  }

  /** By orderId or origClientOrderId (both: must agree), within the symbol. */
  private lookup(p: URLSearchParams): SpotOrder | BinanceError | null {
    const symbol = p.get('symbol');
    if (!symbol) return mandatory('symbol');
    if (!this.book.rules(symbol)) return err(-1121, 'Invalid symbol.');
    const id = p.get('orderId');
    const cid = p.get('origClientOrderId');
    if (!id && !cid)
      return err(-1102, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!");
    const o = id ? this.book.byOrderId(symbol, Number(id)) : this.book.byClientId(symbol, cid ?? '');
    if (o && id && cid && o.clientOrderId !== cid)
      return err(-2039, 'Client order ID is not correct for this order ID.');
    return o ?? null;
  }

  private findList(p: URLSearchParams, clientKey: string) {
    const id = p.get('orderListId');
    const cid = p.get(clientKey);
    const matching = this.book.lists.filter(
      (l) => (id === null || l.orderListId === Number(id)) && (cid === null || l.listClientOrderId === cid),
    );
    return id === null && cid === null ? undefined : matching[matching.length - 1];
  }

  private lookupList(p: URLSearchParams, clientKey: string): Record<string, unknown> | null {
    const l = this.findList(p, clientKey);
    return l ? listJson(this.book, l) : null;
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, e: BinanceError): void {
  send(res, e.http, { code: e.code, msg: e.msg });
}

export async function startBinanceServer(opts: BinanceServerOptions = {}): Promise<BinanceSpotServer> {
  return new BinanceSpotServer(opts).listen();
}
