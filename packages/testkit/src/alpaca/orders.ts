/**
 * The order book of the Alpaca contract server: orders as Alpaca's Trading API v2 documents
 * them, and the refusals it documents.
 *
 * Sources: https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml
 * (parameters, 403/422/404, DELETE 422 "not cancelable", nested), .../entities/order-v2.yaml
 * (order entity), https://docs.alpaca.markets/docs/orders-at-alpaca (bracket: legs wait for the
 * entry to fill; OCO: type must be "limit", the take-profit is the parent, the stop-loss its
 * leg; trailing stop: one of trail_price / trail_percent). Error bodies {"code", "message"} as
 * Alpaca sends them: 40310000 "insufficient buying power" (alpacahq/alpaca-py#225), 40010001
 * "client_order_id must be unique" (seen in many client libraries; the docs list only
 * "422 Input parameters are not recognized"). The legs' "held" status is what Alpaca shows for
 * bracket legs before the entry fills; OCO legs are both working ("new").
 */
import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';

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
}

export interface Refusal {
  status: number;
  body: { code: number; message: string };
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
const invalid = (message: string): Refusal => ({ status: 422, body: { code: 40010001, message } });
const DECIMAL = /^\d+(\.\d+)?$/;

function str(body: Record<string, unknown>, key: string): string | null {
  const v = body[key];
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

export class OrderBook {
  readonly orders = new Map<string, ServerOrder>();
  readonly positions = new Map<string, { qty: Decimal; avg: Decimal }>();
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

  create(body: Record<string, unknown>, initialStatus: string): ServerOrder | Refusal {
    const symbol = str(body, 'symbol');
    const qty = str(body, 'qty');
    const side = str(body, 'side');
    const type = str(body, 'type');
    const tif = str(body, 'time_in_force');
    if (!symbol || !qty || !side || !type || !tif)
      return invalid('symbol, qty, side, type and time_in_force are required');
    if (!DECIMAL.test(qty) || new Decimal(qty).lte(0)) return invalid('qty must be a positive number');
    if (side !== 'buy' && side !== 'sell') return invalid(`invalid side: ${side}`);
    if (!['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'].includes(tif)) return invalid(`invalid time_in_force: ${tif}`);
    const limit = str(body, 'limit_price');
    const stop = str(body, 'stop_price');
    const trailPct = str(body, 'trail_percent');
    const trailPx = str(body, 'trail_price');
    const orderClass = str(body, 'order_class') ?? 'simple';
    const tp = (body.take_profit ?? null) as Record<string, unknown> | null;
    const sl = (body.stop_loss ?? null) as Record<string, unknown> | null;
    if (orderClass !== 'oco' && (type === 'limit' || type === 'stop_limit') && !limit)
      return invalid('limit_price is required');
    if ((type === 'stop' || type === 'stop_limit') && !stop) return invalid('stop_price is required');
    if (type === 'trailing_stop' && (trailPct === null) === (trailPx === null))
      return invalid('either trail_price or trail_percent is required');
    if (!['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'].includes(type))
      return invalid(`invalid order type: ${type}`);
    if (orderClass === 'oto' && (tp === null) === (sl === null))
      return invalid('oto orders need either take_profit or stop_loss');
    if (orderClass === 'oto' && ((tp && !str(tp, 'limit_price')) || (sl && !str(sl, 'stop_price'))))
      return invalid('take_profit.limit_price or stop_loss.stop_price is required');
    if (orderClass === 'bracket' || orderClass === 'oco') {
      if (!tp || !str(tp, 'limit_price') || !sl || !str(sl, 'stop_price'))
        return invalid('take_profit.limit_price and stop_loss.stop_price are required');
      if (tif !== 'day' && tif !== 'gtc') return invalid('time_in_force must be day or gtc for advanced orders');
      if (orderClass === 'oco' && type !== 'limit') return invalid('oco orders must be limit orders');
    }
    const clientOrderId = str(body, 'client_order_id') ?? randomUUID();
    if (clientOrderId.length > 48) return invalid('client_order_id must be no more than 48 characters');
    if (this.byClientId(clientOrderId)) return invalid('client_order_id must be unique');
    const base = { symbol, side, time_in_force: tif, order_class: orderClass, qty: new Decimal(qty) } as const;
    const parent = this.add({
      ...base,
      client_order_id: clientOrderId,
      type,
      limit_price: orderClass === 'oco' ? str(tp ?? {}, 'limit_price') : limit,
      stop_price: stop,
      trail_percent: trailPct,
      trail_price: trailPx,
      status: initialStatus,
    });
    if (orderClass === 'bracket' || orderClass === 'oco' || orderClass === 'oto') {
      const triggered = orderClass !== 'oco'; // bracket/oto legs wait for the entry; they exit it
      const exitSide = triggered ? (side === 'buy' ? 'sell' : 'buy') : side;
      const legStatus = triggered ? 'held' : 'new';
      const stopLeg = {
        type: str(sl ?? {}, 'limit_price') ? 'stop_limit' : 'stop',
        limit_price: str(sl ?? {}, 'limit_price'),
        stop_price: str(sl ?? {}, 'stop_price'),
      };
      const legs = [
        ...(orderClass !== 'oco' && tp
          ? [{ type: 'limit', limit_price: str(tp, 'limit_price'), stop_price: null }]
          : []),
        ...(orderClass !== 'oto' || sl ? [stopLeg] : []),
      ];
      for (const leg of legs) {
        const o = this.add({
          ...base,
          ...leg,
          side: exitSide,
          client_order_id: randomUUID(),
          trail_percent: null,
          trail_price: null,
          status: legStatus,
        });
        o.parentId = parent.id;
        parent.legIds.push(o.id);
      }
    }
    return parent;
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
    o.updated_at = this.tick();
    if (status === 'canceled') o.canceled_at = o.updated_at;
  }

  /** DELETE /v2/orders/{id}: 204, 404, or 422 when no longer cancelable; the whole group goes. */
  cancel(id: string): { status: number; body?: Refusal['body']; canceled: ServerOrder[] } {
    const o = this.orders.get(id);
    if (!o) return { status: 404, body: { code: 40410000, message: 'order not found' }, canceled: [] };
    if (!this.isOpen(o) || o.status === 'pending_replace')
      return { status: 422, body: { code: 42210000, message: 'order is not cancelable' }, canceled: [] };
    const group = this.groupOf(o).filter((x) => this.isOpen(x));
    for (const x of group) this.setStatus(x, 'canceled');
    return { status: 204, canceled: group };
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
      asset_class: 'us_equity',
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
