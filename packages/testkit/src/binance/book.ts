/**
 * The account and order book of the Binance spot stand-in: balances (free/locked), orders,
 * OCO order lists, and executions at the last price a test sets or driven by the test.
 *
 * Sources (github.com/binance/binance-spot-api-docs):
 * - rest-api.md "New order (TRADE)": mandatory parameters by type (LIMIT: timeInForce, quantity,
 *   price; MARKET: quantity or quoteOrderQty; STOP_LOSS/TAKE_PROFIT: quantity, stopPrice;
 *   *_LIMIT: + timeInForce, price; LIMIT_MAKER: quantity, price); newClientOrderId "A unique id
 *   among open orders … the same newClientOrderID can be accepted only when the previous one is
 *   filled"; trigger rules: STOP_LOSS SELL / TAKE_PROFIT BUY below the market, STOP_LOSS BUY /
 *   TAKE_PROFIT SELL above it; newOrderRespType ACK/RESULT/FULL.
 * - rest-api.md "New Order list - OCO": above/below orders, SELL: LIMIT_MAKER price > last >
 *   STOP_LOSS stopPrice; BUY: LIMIT_MAKER price < last < stopPrice; quantity for both;
 *   list/above/below client ids; "Cancel Order list": cancelling one order of a list cancels the
 *   entire list.
 * - faqs/spot_glossary.md "OCO": when one order executes, the other is automatically expired;
 *   user-data-stream.md expiryReason OCO_TRIGGER.
 * - enums.md order statuses NEW, PARTIALLY_FILLED, FILLED, CANCELED, REJECTED, EXPIRED; list
 *   statuses EXEC_STARTED/ALL_DONE, EXECUTING/ALL_DONE.
 * - errors.md: -2010 with "Duplicate order sent.", "Account has insufficient balance for
 *   requested action.", "Order would trigger immediately.", "Order would immediately match and
 *   take.", "The relationship of the prices for the orders is not correct.", "OCO orders are not
 *   supported for this symbol", "Market is closed.", "<type> orders are not supported for this
 *   symbol."; -1013 filter failures; -1121 "Invalid symbol."; -1100 illegal characters;
 *   -1014 "Unsupported order combination."; -2011 "Unknown order sent." (cancel); -2013 "Order
 *   does not exist." (query).
 * - faqs/market_orders_faq.md: a MARKET order that cannot fill completely expires with what it
 *   filled (status EXPIRED).
 *
 * Simplifications, each on the safe side for the code under test: there is no order book of
 * other traders; the counterparty is the last price a test sets (`setPrice`) or a test's
 * explicit `fill`. No commission unless `takerCommission` is set (then charged in the asset
 * received, as Binance does without BNB).
 */
import { Decimal } from '@utm/db';
import { placeOco } from './oco';
import { CLIENT_ID, marketable, orderParams, reachedAt, wouldTriggerNow, type OrderParams } from './order-params';
import type { SymbolRules } from './rules';
import { err, mandatory, type BinanceError } from './signing';

export type SpotStatus = 'NEW' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELED' | 'EXPIRED' | 'REJECTED';

interface Lock {
  asset: string;
  amount: Decimal;
}

export interface SpotTrade {
  id: number;
  price: Decimal;
  qty: Decimal;
  commission: Decimal;
  commissionAsset: string;
}

export interface SpotOrder {
  symbol: string;
  orderId: number;
  orderListId: number;
  clientOrderId: string;
  side: 'BUY' | 'SELL';
  type: string;
  timeInForce: string | null;
  price: Decimal;
  origQty: Decimal;
  executedQty: Decimal;
  cummulativeQuoteQty: Decimal;
  stopPrice: Decimal | null;
  status: SpotStatus;
  time: number;
  updateTime: number;
  expiryReason: string | null;
  /** Funds held for this order (an OCO's two orders share one). */
  lock: Lock | null;
  trades: SpotTrade[];
}

export interface OrderList {
  orderListId: number;
  listClientOrderId: string;
  symbol: string;
  orderIds: number[];
  done: boolean;
  transactionTime: number;
}

const OPEN = new Set<SpotStatus>(['NEW', 'PARTIALLY_FILLED']);

const rejected = (msg: string) => err(-2010, msg);

export class SpotBook {
  readonly orders: SpotOrder[] = [];
  readonly lists: OrderList[] = [];
  readonly balances = new Map<string, { free: Decimal; locked: Decimal }>();
  readonly lastPrice = new Map<string, Decimal>();
  /** Per symbol: base quantity a MARKET order can find (the rest expires); unlimited when absent. */
  readonly liquidity = new Map<string, Decimal>();
  takerCommission = new Decimal(0);
  private nextOrderId = new Map<string, number>();
  private nextListId = 1;
  private nextTradeId = 1;

  constructor(
    readonly symbols: SymbolRules[],
    private readonly now: () => number,
  ) {}

  rules(symbol: string): SymbolRules | undefined {
    return this.symbols.find((s) => s.symbol === symbol);
  }

  balance(asset: string): { free: Decimal; locked: Decimal } {
    let b = this.balances.get(asset);
    if (!b) this.balances.set(asset, (b = { free: new Decimal(0), locked: new Decimal(0) }));
    return b;
  }

  isOpen(o: SpotOrder): boolean {
    return OPEN.has(o.status);
  }

  /** The latest order with this client id (Binance accepts a reused id once the earlier one filled). */
  byClientId(symbol: string, clientOrderId: string): SpotOrder | undefined {
    return [...this.orders].reverse().find((o) => o.symbol === symbol && o.clientOrderId === clientOrderId);
  }

  byOrderId(symbol: string, orderId: number): SpotOrder | undefined {
    return this.orders.find((o) => o.symbol === symbol && o.orderId === orderId);
  }

  /** For tests: by client id or orderId, any symbol. */
  find(ref: string | number): SpotOrder {
    const o =
      typeof ref === 'number'
        ? this.orders.find((x) => x.orderId === ref)
        : [...this.orders].reverse().find((x) => x.clientOrderId === ref);
    if (!o) throw new Error(`no order ${ref} on the Binance stand-in`);
    return o;
  }

  listOf(o: SpotOrder): OrderList | undefined {
    return o.orderListId === -1 ? undefined : this.lists.find((l) => l.orderListId === o.orderListId);
  }

  /** (Internal to the stand-in.) */
  symbolFor(params: URLSearchParams): SymbolRules | BinanceError {
    const symbol = params.get('symbol');
    if (!symbol) return mandatory('symbol');
    return this.rules(symbol) ?? err(-1121, 'Invalid symbol.');
  }

  checkClientId(symbol: string, id: string | null, name: string): BinanceError | null {
    if (id === null) return null;
    if (!CLIENT_ID.test(id))
      return err(
        -1100,
        `Illegal characters found in parameter '${name}'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.`,
      );
    const existing = this.byClientId(symbol, id);
    if (existing && existing.status !== 'FILLED') return rejected('Duplicate order sent.');
    return null;
  }

  private newId(symbol: string): number {
    const id = this.nextOrderId.get(symbol) ?? 1;
    this.nextOrderId.set(symbol, id + 1);
    return id;
  }

  generatedClientId(): string {
    return `stand-in-${Math.random().toString(36).slice(2, 14)}`;
  }

  /** POST /api/v3/order. */
  newOrder(params: URLSearchParams): SpotOrder | BinanceError {
    const r = this.symbolFor(params);
    if ('code' in r) return r;
    const side = params.get('side');
    const type = params.get('type');
    if (side !== 'BUY' && side !== 'SELL')
      return side ? err(-1100, "Illegal characters found in parameter 'side'.") : mandatory('side');
    if (!type) return mandatory('type');
    const clientOrderId = params.get('newClientOrderId');
    const idErr = this.checkClientId(r.symbol, clientOrderId, 'newClientOrderId');
    if (idErr) return idErr;
    const last = this.lastPrice.get(r.symbol) ?? null;
    const prepared = orderParams(r, type, params, '', last);
    if ('code' in prepared) return prepared;
    if (r.status !== 'TRADING') return rejected('Market is closed.');
    if (type === 'MARKET' && !last) return rejected('Order book liquidity is less than symbol minimum quantity.');
    const trigger = wouldTriggerNow(side, type, prepared.stopPrice, last);
    if (trigger) return rejected('Order would trigger immediately.');
    if (type === 'LIMIT_MAKER' && last && marketable(side, prepared.price, last))
      return rejected('Order would immediately match and take.');
    const lock = this.lockFor(r, side, prepared.quantity, prepared.price ?? prepared.stopPrice ?? last);
    if ('code' in lock) return lock;
    const o = this.add(r.symbol, -1, clientOrderId ?? this.generatedClientId(), side, type, prepared, lock);
    this.afterPlacement(o, last);
    return o;
  }

  lockFor(r: SymbolRules, side: string, qty: Decimal, price: Decimal | null): Lock | BinanceError {
    const asset = side === 'BUY' ? r.quoteAsset : r.baseAsset;
    const amount = side === 'BUY' ? qty.times(price ?? 0) : qty;
    const b = this.balance(asset);
    if (b.free.lt(amount)) return rejected('Account has insufficient balance for requested action.');
    b.free = b.free.minus(amount);
    b.locked = b.locked.plus(amount);
    return { asset, amount };
  }

  add(
    symbol: string,
    orderListId: number,
    clientOrderId: string,
    side: 'BUY' | 'SELL',
    type: string,
    p: OrderParams,
    lock: Lock,
  ): SpotOrder {
    const at = this.now();
    const o: SpotOrder = {
      symbol,
      orderId: this.newId(symbol),
      orderListId,
      clientOrderId,
      side,
      type,
      timeInForce: p.timeInForce ?? 'GTC',
      price: p.price ?? new Decimal(0),
      origQty: p.quantity,
      executedQty: new Decimal(0),
      cummulativeQuoteQty: new Decimal(0),
      stopPrice: p.stopPrice,
      status: 'NEW',
      time: at,
      updateTime: at,
      expiryReason: null,
      lock,
      trades: [],
    };
    this.orders.push(o);
    return o;
  }

  /** A new order meets the market at once: MARKET, a marketable LIMIT, IOC/FOK. */
  private afterPlacement(o: SpotOrder, last: Decimal | null): void {
    if (o.type === 'MARKET' && last) {
      const available = this.liquidity.get(o.symbol);
      const qty = available ? Decimal.min(available, o.origQty) : o.origQty;
      if (qty.gt(0)) this.execute(o, qty, last);
      if (this.isOpen(o)) this.end(o, 'EXPIRED', 'INSUFFICIENT_LIQUIDITY');
      return;
    }
    if (o.type === 'LIMIT' && last && marketable(o.side, o.price, last)) {
      this.execute(o, o.origQty, last);
      return;
    }
    if (o.type === 'LIMIT' && (o.timeInForce === 'IOC' || o.timeInForce === 'FOK'))
      this.end(o, 'EXPIRED', o.timeInForce === 'IOC' ? 'UNFILLED_IOC_QUANTITY_EXPIRED' : 'UNFILLED_FOK_ORDER_EXPIRED');
  }

  /** POST /api/v3/orderList/oco (oco.ts). */
  newOco(params: URLSearchParams): { list: OrderList; orders: SpotOrder[] } | BinanceError {
    return placeOco(this, params);
  }

  newList(symbol: string, listClientOrderId: string | null): OrderList {
    const list: OrderList = {
      orderListId: this.nextListId++,
      listClientOrderId: listClientOrderId ?? this.generatedClientId(),
      symbol,
      orderIds: [],
      done: false,
      transactionTime: this.now(),
    };
    this.lists.push(list);
    return list;
  }

  /** DELETE /api/v3/order: a member of a list cancels the whole list. */
  cancel(o: SpotOrder): SpotOrder[] {
    const list = this.listOf(o);
    const members = list ? list.orderIds.map((id) => this.byOrderId(o.symbol, id)).filter(isOrder) : [o];
    for (const m of members) if (this.isOpen(m)) this.end(m, 'CANCELED', null);
    return members;
  }

  /** Sets the last traded price and executes what it reaches, in time priority. */
  setPrice(symbol: string, price: Decimal): SpotOrder[] {
    this.lastPrice.set(symbol, price);
    const touched: SpotOrder[] = [];
    for (const o of this.orders.filter((x) => x.symbol === symbol && this.isOpen(x))) {
      if (!this.isOpen(o)) continue; // expired meanwhile by its OCO partner
      const at = reachedAt(o, price);
      if (!at) continue;
      this.execute(o, o.origQty.minus(o.executedQty), at);
      touched.push(o);
    }
    return touched;
  }

  /** A test's execution of `qty` (default: all that is left) at `price` (default: the order's, else the last). */
  fill(o: SpotOrder, qty?: Decimal, price?: Decimal): void {
    if (!this.isOpen(o)) throw new Error(`order ${o.clientOrderId} is ${o.status}`);
    const at = price ?? (o.price.gt(0) ? o.price : this.lastPrice.get(o.symbol));
    if (!at) throw new Error(`no price to fill ${o.clientOrderId} at`);
    this.execute(o, qty ?? o.origQty.minus(o.executedQty), at);
  }

  private execute(o: SpotOrder, qty: Decimal, price: Decimal): void {
    const r = this.rules(o.symbol);
    if (!r) return;
    const left = o.origQty.minus(o.executedQty);
    const q = Decimal.min(qty, left);
    if (q.lte(0)) return;
    const quote = q.times(price);
    const baseB = this.balance(r.baseAsset);
    const quoteB = this.balance(r.quoteAsset);
    const received = o.side === 'BUY' ? q : quote;
    const commission = received.times(this.takerCommission);
    const commissionAsset = o.side === 'BUY' ? r.baseAsset : r.quoteAsset;
    if (o.side === 'BUY') {
      const held =
        o.lock && o.lock.asset === r.quoteAsset
          ? Decimal.min(o.lock.amount, q.times(o.price.gt(0) ? o.price : price))
          : new Decimal(0);
      if (o.lock) o.lock.amount = o.lock.amount.minus(held);
      quoteB.locked = quoteB.locked.minus(held);
      quoteB.free = quoteB.free.plus(held).minus(quote);
      baseB.free = baseB.free.plus(q.minus(commission));
    } else {
      const held = o.lock ? Decimal.min(o.lock.amount, q) : new Decimal(0);
      if (o.lock) o.lock.amount = o.lock.amount.minus(held);
      baseB.locked = baseB.locked.minus(held);
      baseB.free = baseB.free.minus(q.minus(held));
      quoteB.free = quoteB.free.plus(quote.minus(commission));
    }
    o.trades.push({ id: this.nextTradeId++, price, qty: q, commission, commissionAsset });
    o.executedQty = o.executedQty.plus(q);
    o.cummulativeQuoteQty = o.cummulativeQuoteQty.plus(quote);
    o.status = o.executedQty.gte(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    o.updateTime = this.now();
    const list = this.listOf(o);
    if (list) {
      // One order of the pair executed: the other expires (OCO_TRIGGER); the lock stays with this one.
      for (const id of list.orderIds)
        if (id !== o.orderId) {
          const other = this.byOrderId(o.symbol, id);
          if (other && this.isOpen(other)) {
            other.status = 'EXPIRED';
            other.expiryReason = 'OCO_TRIGGER';
            other.updateTime = this.now();
          }
        }
      if (o.status === 'FILLED') list.done = true;
    }
    if (o.status === 'FILLED') this.release(o);
  }

  /** Ends an open order and returns what it still held. */
  end(o: SpotOrder, status: 'CANCELED' | 'EXPIRED', reason: string | null): void {
    o.status = status;
    o.expiryReason = reason;
    o.updateTime = this.now();
    const list = this.listOf(o);
    const partnerOpen = list?.orderIds.some((id) => {
      const x = id === o.orderId ? undefined : this.byOrderId(o.symbol, id);
      return x !== undefined && this.isOpen(x);
    });
    if (list && !partnerOpen) list.done = true;
    if (!partnerOpen) this.release(o);
  }

  private release(o: SpotOrder): void {
    if (!o.lock || o.lock.amount.lte(0)) return;
    const b = this.balance(o.lock.asset);
    b.locked = b.locked.minus(o.lock.amount);
    b.free = b.free.plus(o.lock.amount);
    o.lock.amount = new Decimal(0);
  }
}

function isOrder(o: SpotOrder | undefined): o is SpotOrder {
  return o !== undefined;
}
