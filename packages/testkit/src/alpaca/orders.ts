/**
 * The order book of the Alpaca contract server: orders as Alpaca's Trading API v2 documents
 * them, and the refusals it documents (entry-rules.ts, position-rules.ts).
 *
 * Sources: https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml
 * (parameters, 403/422/404, DELETE 422 "not cancelable", nested), .../entities/order-v2.yaml
 * (order entity), content/trading/orders.md (bracket: legs wait for the entry to fill; OCO: type
 * must be "limit", the take-profit is the parent, the stop-loss its leg; "If any one of the orders
 * is canceled, any remaining open order in the group is canceled"). The legs' "held" status is
 * what Alpaca shows for bracket legs before the entry fills (alpacahq/alpaca-py#182: "the
 * back-end sends it"); OCO legs are both working ("new").
 *
 * Cancels are asynchronous: content/api-references/trading-api/streaming.md lists
 * `pending_cancel` ("the order is awaiting cancelation") and `order_cancel_rejected`; orders.md:
 * "An order may be canceled through the API up until the point it reaches a state of either
 * filled, canceled, or expired", so a fill can still come while the cancel is pending, and then
 * the cancel is rejected. requestCancel starts one, finishCancel ends it (the server times it).
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import type { ServerAsset } from './assets';
import { entryRefusal, invalid, type Refusal } from './entry-rules';
import { positionRefusal, type PositionView } from './position-rules';

export type { Refusal } from './entry-rules';

/** What creating an order needs from the server around the book. */
export interface CreateContext {
  asset: (symbol: string) => ServerAsset | null;
  cash: Decimal;
}

export interface ServerOrder {
  id: string;
  client_order_id: string;
  symbol: string;
  side: 'buy' | 'sell';
  type: string;
  time_in_force: string;
  order_class: string;
  qty: Decimal;
  filled_qty: Decimal;
  filled_avg_price: Decimal | null;
  limit_price: string | null;
  stop_price: string | null;
  trail_percent: string | null;
  trail_price: string | null;
  status: string;
  submitted_at: string;
  updated_at: string;
  filled_at: string | null;
  canceled_at: string | null;
  replaced_by: string | null;
  replaced_at: string | null;
  /** The order this one replaced (PATCH /v2/orders/{id}). */
  replaces: string | null;
  legIds: string[];
  parentId: string | null;
  asset_class: 'us_equity' | 'crypto';
  /** A cancel was asked for and is not final yet; the status it had before (a rejected cancel goes back to it). */
  cancelFrom: string | null;
}

export interface Execution {
  order: ServerOrder;
  event: 'fill' | 'partial_fill';
  executionId: string;
  qty: Decimal;
  price: Decimal;
  timestamp: string;
  positionQty: Decimal;
  /** The rest of its group, cancelled by Alpaca because this one filled. */
  canceled: ServerOrder[];
  /** A replacement still on its way (the order was pending_replace), rejected because this one filled first. */
  rejected: ServerOrder[];
}

const TERMINAL = new Set(['filled', 'canceled', 'expired', 'rejected', 'replaced']);
export class OrderBook {
  readonly orders = new Map<string, ServerOrder>();
  readonly positions = new Map<string, { qty: Decimal; avg: Decimal }>();
  /** The last price seen per symbol (a fill, or setPrice): the "current market price" of the rules. */
  readonly lastPrice = new Map<string, Decimal>();
  /** A short's qty is sent signed, unless a test asks for it unsigned: position.yaml shows only a long. */
  unsignedShortQty = false;
  private clock = Date.UTC(2024, 0, 2, 15, 0, 0);

  /** Strictly increasing timestamps, so `after` and ordering are deterministic. */
  tick(): string {
    this.clock = Math.max(this.clock + 1, Date.now());
    return new Date(this.clock).toISOString();
  }

  byClientId(clientOrderId: string): ServerOrder | undefined {
    return [...this.orders.values()].find((o) => o.client_order_id === clientOrderId);
  }

  find(ref: string): ServerOrder {
    const o = this.orders.get(ref) ?? this.byClientId(ref);
    if (!o) throw new Error(`no order ${ref} on the Alpaca test server`);
    return o;
  }

  isOpen(o: ServerOrder): boolean {
    return !TERMINAL.has(o.status);
  }

  /**
   * POST /v2/orders: the request's own rules (entry-rules.ts), then the position's and the other
   * orders' (position-rules.ts); accepted, the order and, for an advanced order, its legs.
   */
  create(body: Record<string, unknown>, initialStatus: string, ctx: CreateContext): ServerOrder | Refusal {
    const o = entryRefusal(body, ctx.asset, (s) => this.lastPrice.get(s) ?? null);
    if ('body' in o) return o;
    const asset = ctx.asset(o.symbol) as ServerAsset;
    // Duplicate ids: 422 "client_order_id must be unique" (seen in many client libraries; the docs
    // list only "422 Input parameters are not recognized").
    if (this.byClientId(o.clientOrderId)) return invalid('client_order_id must be unique');
    const refusal = positionRefusal(o, asset, this.viewOf(o.symbol, ctx.cash));
    if (refusal) return refusal;
    const { symbol, side, orderClass, tif } = o;
    const base = { symbol, side, time_in_force: tif, order_class: orderClass, qty: o.qty, asset_class: asset.class };
    const parent = this.add({
      ...base,
      client_order_id: o.clientOrderId,
      type: o.type,
      limit_price: orderClass === 'oco' ? (o.takeProfit?.limit ?? null) : o.limit,
      stop_price: o.stop,
      trail_percent: o.trailPercent,
      trail_price: o.trailPrice,
      status: initialStatus,
    });
    if (orderClass === 'simple') return parent;
    const triggered = orderClass !== 'oco'; // bracket/oto legs wait for the entry; they exit it
    const exitSide = triggered ? (side === 'buy' ? 'sell' : 'buy') : side;
    const legStatus = triggered ? 'held' : 'new';
    const sl = o.stopLoss;
    const stopLeg = {
      type: sl?.limit ? 'stop_limit' : 'stop',
      limit_price: sl?.limit ?? null,
      stop_price: sl?.stop ?? null,
    };
    const legs = [
      ...(orderClass !== 'oco' && o.takeProfit
        ? [{ type: 'limit', limit_price: o.takeProfit.limit, stop_price: null }]
        : []),
      ...(sl ? [stopLeg] : []),
    ];
    for (const leg of legs) {
      const x = this.add({
        ...base,
        ...leg,
        side: exitSide,
        client_order_id: randomUUID(),
        trail_percent: null,
        trail_price: null,
        status: legStatus,
      });
      x.parentId = parent.id;
      parent.legIds.push(x.id);
    }
    return parent;
  }

  /** What the position rules look at for a symbol. */
  viewOf(symbol: string, cash: Decimal): PositionView {
    return {
      position: this.positions.get(symbol)?.qty ?? new Decimal(0),
      open: [...this.orders.values()].filter((x) => x.symbol === symbol && this.isOpen(x)),
      cash,
      market: this.lastPrice.get(symbol) ?? null,
    };
  }

  add(
    fields: Omit<
      ServerOrder,
      | 'id'
      | 'filled_qty'
      | 'filled_avg_price'
      | 'submitted_at'
      | 'updated_at'
      | 'filled_at'
      | 'canceled_at'
      | 'replaced_by'
      | 'replaced_at'
      | 'replaces'
      | 'legIds'
      | 'parentId'
      | 'cancelFrom'
    >,
  ): ServerOrder {
    const at = this.tick();
    const o: ServerOrder = {
      ...fields,
      id: randomUUID(),
      filled_qty: new Decimal(0),
      filled_avg_price: null,
      submitted_at: at,
      updated_at: at,
      filled_at: null,
      canceled_at: null,
      replaced_by: null,
      replaced_at: null,
      replaces: null,
      legIds: [],
      parentId: null,
      cancelFrom: null,
    };
    this.orders.set(o.id, o);
    return o;
  }

  /**
   * Fills `qty` (default: the rest) at `price`; a bracket's legs start working once the entry is
   * filled. A replacement still on its way is rejected: the order it replaces filled first
   * (PATCH /v2/orders/{id}: "the replacing (new) order is rejected"). A take profit that fills
   * in part leaves its group's stop loss "adjusted to the remaining quantity" (orders-at-alpaca,
   * bracket orders; OCO legs "work exactly the same way").
   */
  fill(ref: string, price: Decimal, qty?: Decimal): Execution {
    const o = this.find(ref);
    const rest = o.qty.minus(o.filled_qty);
    const q = qty ?? rest;
    if (!this.isOpen(o) || q.lte(0) || q.gt(rest))
      throw new Error(`cannot fill ${q.toFixed()} of order ${ref} (${o.status}, ${rest.toFixed()} left)`);
    const rejected = [...this.orders.values()].filter((r) => r.replaces === o.id && r.status === 'pending_new');
    for (const r of rejected) this.setStatus(r, 'rejected');
    const total = o.filled_qty.plus(q);
    o.filled_avg_price = (o.filled_avg_price ?? new Decimal(0)).times(o.filled_qty).plus(price.times(q)).div(total);
    o.filled_qty = total;
    o.status = total.eq(o.qty) ? 'filled' : 'partially_filled';
    if (o.cancelFrom !== null) o.cancelFrom = o.status === 'filled' ? null : 'partially_filled';
    o.updated_at = this.tick();
    if (o.status === 'filled') o.filled_at = o.updated_at;
    if (o.status === 'filled' && (o.order_class === 'bracket' || o.order_class === 'oto') && o.parentId === null)
      for (const id of o.legIds) this.find(id).status = 'new';
    // One member of an OCO filled, or a bracket's leg: Alpaca cancels the rest of the group.
    const exitMember = o.parentId !== null || o.order_class === 'oco';
    const canceled = o.status === 'filled' && exitMember ? this.cancelGroup(o) : [];
    if (o.status === 'partially_filled' && exitMember && o.type === 'limit') {
      for (const stop of this.groupOf(o))
        if (stop !== o && stop.type !== 'limit' && this.isOpen(stop)) stop.qty = rest.minus(q);
    }
    this.lastPrice.set(o.symbol, price);
    const signed = o.side === 'buy' ? q : q.neg();
    const pos = this.positions.get(o.symbol) ?? { qty: new Decimal(0), avg: price };
    const qtyAfter = pos.qty.plus(signed);
    this.positions.set(o.symbol, {
      qty: qtyAfter,
      avg:
        pos.qty.isZero() || pos.qty.isNeg() !== signed.isNeg()
          ? price
          : pos.qty.times(pos.avg).plus(signed.times(price)).div(qtyAfter),
    });
    if (qtyAfter.isZero()) this.positions.delete(o.symbol);
    return {
      order: o,
      event: o.status === 'filled' ? 'fill' : 'partial_fill',
      executionId: randomUUID(),
      qty: q,
      price,
      timestamp: o.updated_at,
      positionQty: qtyAfter,
      canceled,
      rejected,
    };
  }

  /** What a corporate action does: the order is "replaced" by a copy under a new id. */
  replace(ref: string): ServerOrder {
    const o = this.find(ref);
    const copy = this.add({ ...o, client_order_id: randomUUID(), status: 'new' });
    o.replaced_by = copy.id;
    this.setStatus(o, 'replaced');
    return copy;
  }

  /** The order's group (an OCO or bracket: the parent and its legs), or the order alone. */
  groupOf(o: ServerOrder): ServerOrder[] {
    const parent = o.parentId === null ? o : this.orders.get(o.parentId);
    if (!parent) return [o];
    return [parent, ...parent.legIds.map((id) => this.orders.get(id)).filter((x): x is ServerOrder => x !== undefined)];
  }

  /** One member of a group filled: Alpaca cancels the others (returned, for their events). */
  private cancelGroup(filled: ServerOrder): ServerOrder[] {
    const canceled: ServerOrder[] = [];
    for (const o of this.groupOf(filled)) {
      if (o !== filled && this.isOpen(o) && o.status !== 'filled') {
        this.setStatus(o, 'canceled');
        canceled.push(o);
      }
    }
    return canceled;
  }

  setStatus(o: ServerOrder, status: string): void {
    o.status = status;
    if (TERMINAL.has(status)) o.cancelFrom = null;
    o.updated_at = this.tick();
    if (status === 'canceled') o.canceled_at = o.updated_at;
  }

  /**
   * DELETE /v2/orders/{id}: 404, 422 "order is not cancelable" once final or while
   * pending_replace ("The order will reject cancel request while in this state", orders.md), else
   * 204 and the cancel is under way for the whole group (returned: their pending_cancel events).
   * A DELETE while a cancel is already under way is answered 204 and changes nothing.
   */
  requestCancel(id: string): { status: number; body?: Refusal['body']; pending: ServerOrder[] } {
    const o = this.orders.get(id);
    if (!o) return { status: 404, body: { code: 40410000, message: 'order not found' }, pending: [] };
    if (!this.isOpen(o) || o.status === 'pending_replace')
      return { status: 422, body: { code: 42210000, message: 'order is not cancelable' }, pending: [] };
    const pending: ServerOrder[] = [];
    for (const x of this.groupOf(o)) {
      if (!this.isOpen(x) || x.cancelFrom !== null) continue;
      x.cancelFrom = x.status;
      this.setStatus(x, 'pending_cancel');
      pending.push(x);
    }
    return { status: 204, pending };
  }

  /**
   * A pending cancel ends: canceled, or (`reject`, or the order filled meanwhile) rejected, the
   * order back to what it was. Returns the event to send, or null when nothing was pending.
   */
  finishCancel(
    o: ServerOrder,
    reject = false,
  ): { event: 'canceled' | 'order_cancel_rejected'; order: ServerOrder } | null {
    // No cancel pending any more: the order filled meanwhile (the cancel is rejected), or its
    // group's fill cancelled it already (nothing more to say).
    if (o.cancelFrom === null) return o.status === 'filled' ? { event: 'order_cancel_rejected', order: o } : null;
    const from = o.cancelFrom;
    o.cancelFrom = null;
    if (reject) {
      this.setStatus(o, from);
      return { event: 'order_cancel_rejected', order: o };
    }
    this.setStatus(o, 'canceled');
    return { event: 'canceled', order: o };
  }

  toJson(o: ServerOrder, nested: boolean): Record<string, unknown> {
    return {
      id: o.id,
      client_order_id: o.client_order_id,
      created_at: o.submitted_at,
      updated_at: o.updated_at,
      submitted_at: o.submitted_at,
      filled_at: o.filled_at,
      expired_at: null,
      canceled_at: o.canceled_at,
      failed_at: null,
      replaced_at: o.replaced_at,
      replaced_by: o.replaced_by,
      replaces: o.replaces,
      asset_id: '00000000-0000-4000-8000-000000000000',
      symbol: o.symbol,
      asset_class: o.asset_class,
      notional: null,
      qty: o.qty.toFixed(),
      filled_qty: o.filled_qty.toFixed(),
      filled_avg_price: o.filled_avg_price?.toFixed() ?? null,
      order_class: o.order_class,
      order_type: o.type,
      type: o.type,
      side: o.side,
      time_in_force: o.time_in_force,
      limit_price: o.limit_price,
      stop_price: o.stop_price,
      status: o.status,
      extended_hours: false,
      legs: nested && o.legIds.length > 0 ? o.legIds.map((id) => this.toJson(this.find(id), true)) : null,
      trail_percent: o.trail_percent,
      trail_price: o.trail_price,
      hwm: o.type === 'trailing_stop' ? '0' : null,
    };
  }
}
