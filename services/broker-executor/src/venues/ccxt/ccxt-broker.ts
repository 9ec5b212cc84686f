/**
 * The Broker interface over a crypto exchange's spot market through ccxt (Binance spot proven
 * first, against the stand-in in @utm/testkit).
 *
 * Our order id is the exchange's client order id (ccxt `params.clientOrderId`; Binance
 * newClientOrderId, looked up by origClientOrderId). Binance accepts an id again once its order
 * has FILLED (rest-api.md "New order": "can be accepted only when the previous one is
 * filled"), so a resend without a lookup could buy twice: a placement whose outcome is unknown
 * is looked up first, and stays `uncertain` (the executor asks again before any resend) while
 * the exchange cannot say. An id still in use ("Duplicate order sent.") is the same order:
 * adopted. Binance keys orders by symbol: the symbol of each of our ids comes from `symbolOf`
 * (our orders table).
 *
 * Stop loss + take profit rest as one Binance OCO order list (POST /api/v3/orderList/oco,
 * rest-api.md "New Order list - OCO"): our take-profit row's id is the list's client id and its
 * LIMIT_MAKER order's; the stop (STOP_LOSS) is the list's other order, reported as a leg.
 * Cancelling the take profit cancels the list ("Canceling an individual order from an order
 * list will cancel the entire order list").
 */
import type { Exchange, MarketInterface, Order } from 'ccxt';
import { Decimal } from '@utm/db';
import { defaultTickSize } from '@utm/trading';
import type { InstrumentRules } from '@utm/db';
import {
  BrokerError,
  type Broker,
  type BrokerAccountSnapshot,
  type BrokerCapabilities,
  type BrokerOrder,
  type BrokerOrderRequest,
} from '../broker/types';
import { brokerError, classify } from './errors';
import { instrumentOfMarket } from './exchange';
import { Commissions } from './commission';
import { binanceOcoParams, fromCcxtOrder, toCcxtOrder } from './mapping';

export interface CcxtBrokerOptions {
  exchange: Exchange;
  /** The ccxt symbol our order id was placed on (our orders table), or null if it is not ours. */
  symbolOf: (clientOrderId: string) => Promise<string | null>;
  /** The currency balances are valued in: cash, and the quote of each position's symbol. */
  quoteCurrency?: string;
  /** Credentials, scrubbed from every message. */
  secrets?: string[];
}

/**
 * Binance spot: plain orders, stop (STOP_LOSS), stop limit, OCO lists; no trailing stop by
 * amount, no replace. A working sell holds its coins (the balance is locked), so a position's
 * exits are one order or one OCO list; exit prices go to the instrument's tick.
 */
export function ccxtCapabilities(exchangeId: string): BrokerCapabilities {
  const oco = exchangeId === 'binance';
  return {
    orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'],
    nativeBracket: false,
    nativeOco: oco,
    nativeTrailingStop: false,
    fractional: true,
    oneClosingOrderPerShare: true,
    spot: true,
    exitTerms: (_symbol, instrument) => ({
      tick: (price) => instrument?.tickSize ?? defaultTickSize(price),
      stopType: 'STOP',
      oco,
      trailing: false,
    }),
  };
}

const OPEN = new Set(['ACCEPTED', 'PARTIALLY_FILLED']);
type RawCall = (params: Record<string, string>) => Promise<unknown>;

export class CcxtBroker implements Broker {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  /** Our open orders' symbols, as last seen: what polling asks about. */
  readonly watched = new Map<string, string>();
  private readonly symbols = new Map<string, string>();
  private readonly commissions: Commissions;
  private readonly quote: string;

  constructor(private readonly opts: CcxtBrokerOptions) {
    this.name = `ccxt:${opts.exchange.id}`;
    this.capabilities = ccxtCapabilities(opts.exchange.id);
    this.quote = opts.quoteCurrency ?? 'USDT';
    this.commissions = new Commissions((o, m) =>
      this.call('reads trades', false, () => this.exchange.fetchOrderTrades(String(o.id), m.symbol)),
    );
  }

  get exchange(): Exchange {
    return this.opts.exchange;
  }

  /** The market of a ccxt symbol (markets loaded once, then cached by ccxt). */
  async market(symbol: string): Promise<MarketInterface> {
    const markets = await this.call('loads its markets', false, () => this.exchange.loadMarkets());
    const m = markets[symbol];
    if (!m?.id || m.spot === false)
      throw new BrokerError('ASSET_NOT_TRADABLE', `${this.exchange.id} lists no spot market ${symbol}`);
    return m;
  }

  /**
   * What the exchange says of a symbol (lot and tick size, minimum notional, from loadMarkets),
   * to keep in instrument_rules under this venue's name; null when it lists no such spot market.
   */
  async instrument(symbol: string): Promise<Omit<InstrumentRules, 'fetchedAt'> | null> {
    try {
      return instrumentOfMarket(this.name, await this.market(symbol));
    } catch (err) {
      if (err instanceof BrokerError && err.code === 'ASSET_NOT_TRADABLE') return null;
      throw err;
    }
  }

  /** The market's base asset free in the account (GET /api/v3/account): what a sell can deliver. */
  async sellable(symbol: string): Promise<Decimal> {
    const m = await this.market(symbol);
    const b = await this.call('reads balances', false, () => this.exchange.fetchBalance());
    const free = (b.free ?? {}) as unknown as Record<string, number | undefined>;
    return new Decimal(String(free[m.base] ?? 0));
  }

  async place(req: BrokerOrderRequest): Promise<BrokerOrder> {
    const m = await this.market(req.symbol);
    this.symbols.set(req.clientOrderId, req.symbol);
    if (req.type === 'TRAILING_STOP' || req.bracket || req.oto)
      throw new BrokerError('EXITS_NOT_SUPPORTED', `${this.exchange.id} spot takes no trailing stop or bracket here`);
    const send = () => (req.oco ? this.sendOco(req, m) : this.sendOrder(req, m));
    let order: BrokerOrder;
    try {
      order = await send();
    } catch (err) {
      order = await this.afterFailedPlacement(req, err, send);
    }
    this.track(req.clientOrderId, req.symbol, order);
    return order;
  }

  /**
   * A placement that failed: an id in use is our order (adopted); a clock out of the window is
   * resynchronised and the order sent again (Binance refused it before processing); an unknown
   * outcome is looked up once, and stays uncertain when the order is not (yet) there.
   */
  private async afterFailedPlacement(
    req: BrokerOrderRequest,
    err: unknown,
    send: () => Promise<BrokerOrder>,
  ): Promise<BrokerOrder> {
    const f = classify(err, true);
    if (f.kind === 'clock') {
      await this.call('reads its clock', false, () => this.exchange.loadTimeDifference());
      return send().catch((again: unknown) => this.afterFailedPlacement(req, again, () => Promise.reject(again)));
    }
    if (f.kind === 'duplicate' || (f.kind === 'unavailable' && f.uncertain)) {
      const found = await this.findByClientOrderId(req.clientOrderId).catch((lookup: unknown) => {
        throw new BrokerError(
          'BROKER_UNAVAILABLE',
          this.redact(
            `${this.exchange.id} placement of ${req.clientOrderId} unconfirmed (${f.message}); lookup failed: ${String(lookup)}`,
          ),
          { uncertain: true, cause: err },
        );
      });
      if (found) return found;
      if (f.kind === 'unavailable')
        throw new BrokerError(
          'BROKER_UNAVAILABLE',
          this.redact(`${this.exchange.id} placement unconfirmed: ${f.message}`),
          {
            uncertain: true,
            cause: err,
          },
        );
    }
    throw brokerError(f, this.exchange.id, `refused order ${req.clientOrderId}`, (s) => this.redact(s));
  }

  private async sendOrder(req: BrokerOrderRequest, m: MarketInterface): Promise<BrokerOrder> {
    const a = toCcxtOrder(req);
    const o = await this.exchange.createOrder(req.symbol, a.type, a.side, a.amount, a.price, a.params);
    return this.ours(o, m);
  }

  /** Binance's OCO order list: LIMIT_MAKER take profit + STOP_LOSS stop, one quantity. */
  private async sendOco(req: BrokerOrderRequest, m: MarketInterface): Promise<BrokerOrder> {
    const oco = req.oco;
    if (!oco || !this.capabilities.nativeOco)
      throw new BrokerError('EXITS_NOT_SUPPORTED', `${this.exchange.id} takes no OCO order`);
    const res = (await this.raw('privatePostOrderListOco')(binanceOcoParams(req, oco, marketIdOf(m)))) as {
      orderReports?: Record<string, unknown>[];
    };
    const orders = (res.orderReports ?? []).map((r) => this.exchange.parseOrder(r, m));
    return this.withLegs(orders, req.clientOrderId, m);
  }

  private async withLegs(members: Order[], clientOrderId: string, m: MarketInterface): Promise<BrokerOrder> {
    const own = members.find((o) => o.clientOrderId === clientOrderId);
    if (!own) throw new BrokerError('BROKER_UNAVAILABLE', `order list without ${clientOrderId}`, { uncertain: true });
    const legs: BrokerOrder[] = [];
    for (const o of members) if (o !== own) legs.push(await this.ours(o, m));
    return this.ours(own, m, legs);
  }

  /** Our view of an exchange order, net of the commission kept out of what it received. */
  private async ours(o: Order, m: MarketInterface, legs: BrokerOrder[] = []): Promise<BrokerOrder> {
    return fromCcxtOrder(o, marketIdOf(m), legs, await this.commissions.of(o, m));
  }

  async cancel(clientOrderId: string): Promise<void> {
    const found = await this.findByClientOrderId(clientOrderId);
    if (!found)
      throw new BrokerError('BROKER_ERROR', `${this.exchange.id} has no order with client order id ${clientOrderId}`, {
        status: 404,
      });
    if (!OPEN.has(found.status)) return;
    const symbol = await this.symbolFor(clientOrderId);
    if (!symbol) return;
    try {
      await this.exchange.cancelOrder('', symbol, { clientOrderId });
    } catch (err) {
      const f = classify(err, true);
      // Unknown to the exchange's cancel: it finished in between (filled, expired by its OCO partner).
      if (f.kind === 'notFound') {
        const now = await this.findByClientOrderId(clientOrderId);
        if (now && !OPEN.has(now.status)) return;
      }
      throw brokerError(f, this.exchange.id, `could not cancel ${clientOrderId}`, (s) => this.redact(s));
    }
  }

  async findByClientOrderId(clientOrderId: string): Promise<BrokerOrder | null> {
    const symbol = await this.symbolFor(clientOrderId);
    if (!symbol) return null;
    const m = await this.market(symbol);
    let o: Order;
    try {
      o = await this.exchange.fetchOrder('', symbol, { clientOrderId });
    } catch (err) {
      const f = classify(err, false);
      if (f.kind === 'notFound') return null;
      throw brokerError(f, this.exchange.id, `lookup of ${clientOrderId}`, (s) => this.redact(s));
    }
    const listId = (o.info as { orderListId?: unknown } | undefined)?.orderListId;
    let order = await this.ours(o, m);
    if (this.capabilities.nativeOco && listId !== undefined && String(listId) !== '-1')
      order = await this.listMembers(String(listId), o, m);
    this.track(clientOrderId, symbol, order);
    return order;
  }

  /** An OCO member with the list's other order as its leg (GET /api/v3/orderList, then each order). */
  private async listMembers(listId: string, own: Order, m: MarketInterface): Promise<BrokerOrder> {
    const list = (await this.call('reads an order list', false, () =>
      this.raw('privateGetOrderList')({ orderListId: listId }),
    )) as { orders?: { orderId: number | string }[] };
    const others = (list.orders ?? []).filter((x) => String(x.orderId) !== own.id);
    const legs: Order[] = [];
    for (const x of others)
      legs.push(await this.call('reads an order', false, () => this.exchange.fetchOrder(String(x.orderId), m.symbol)));
    return this.withLegs([own, ...legs], own.clientOrderId ?? '', m);
  }

  /** Every open order of the account (reconciliation reads them in one list), net of commission like the rest. */
  async openOrders(): Promise<BrokerOrder[]> {
    const orders = await this.call('lists open orders', false, () => this.exchange.fetchOpenOrders());
    const out: BrokerOrder[] = [];
    for (const o of orders) out.push(await this.ours(o, await this.market(o.symbol ?? '')));
    return out;
  }

  /**
   * Balances as positions (spot is long only): every asset held other than the quote currency
   * is a long position in "<ASSET>/<QUOTE>", its quantity free + held in orders; cash is the
   * quote currency's total. Exchanges keep no cost basis: avgPrice is 0.
   */
  async snapshot(): Promise<BrokerAccountSnapshot> {
    const b = await this.call('reads balances', false, () => this.exchange.fetchBalance());
    const totals = (b.total ?? {}) as unknown as Record<string, number | undefined>;
    const positions = Object.entries(totals)
      .filter(([asset, total]) => asset !== this.quote && total !== undefined && total > 0)
      .map(([asset, total]) => ({
        symbol: `${asset}/${this.quote}`,
        quantity: new Decimal(String(total)),
        avgPrice: new Decimal(0),
      }));
    return { cash: new Decimal(String(totals[this.quote] ?? 0)), positions };
  }

  /** Our open orders as the exchange sees them now, those that changed since last seen (polling). */
  async poll(): Promise<BrokerOrder[]> {
    const changed: BrokerOrder[] = [];
    for (const [id, key] of [...this.watched]) {
      const now = await this.findByClientOrderId(id);
      if (!now) continue;
      if (stateKey(now) !== key) changed.push(now);
    }
    return changed;
  }

  private track(clientOrderId: string, symbol: string, order: BrokerOrder): void {
    this.symbols.set(clientOrderId, symbol);
    const open = OPEN.has(order.status) || order.legs.some((l) => OPEN.has(l.status));
    if (open) this.watched.set(clientOrderId, stateKey(order));
    else this.watched.delete(clientOrderId);
  }

  private async symbolFor(clientOrderId: string): Promise<string | null> {
    const known = this.symbols.get(clientOrderId);
    if (known) return known;
    const symbol = await this.opts.symbolOf(clientOrderId);
    if (symbol) this.symbols.set(clientOrderId, symbol);
    return symbol;
  }

  private raw(method: string): RawCall {
    const fn = (this.exchange as unknown as Record<string, RawCall | undefined>)[method];
    if (typeof fn !== 'function') throw new BrokerError('BROKER_ERROR', `${this.exchange.id} has no ${method}`);
    return fn.bind(this.exchange);
  }

  /** A call that changes nothing: failures as BrokerError (never uncertain). */
  private async call<T>(what: string, changes: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof BrokerError) throw err;
      throw brokerError(classify(err, changes), this.exchange.id, what, (s) => this.redact(s));
    }
  }

  private redact(text: string): string {
    let out = text;
    for (const s of [...(this.opts.secrets ?? []), this.exchange.secret, this.exchange.apiKey, this.exchange.password])
      if (typeof s === 'string' && s.length > 0) out = out.split(s).join('[redacted]');
    return out;
  }
}

const marketIdOf = (m: MarketInterface): string => m.id ?? m.symbol;

function stateKey(o: BrokerOrder): string {
  return [o.status, o.filledQuantity.toFixed(), ...o.legs.map((l) => `${l.status}/${l.filledQuantity.toFixed()}`)].join(
    '|',
  );
}
