import type { Pool, PoolClient } from 'pg';
import { Decimal, withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { BrokerError, type Broker, type BrokerOrder, type BrokerOrderRequest } from '../brokers/types';
import { lockAccountRow, positionOf, recordFill } from '../repositories/accounts';
import { cancelUnsent, carriedOrders, loadOrder, loadOrderFor, refreshSignal, updateOrder, type ExecOrder } from '../repositories/orders';
import { measuredRole, milestonesOf, type Milestone, type MilestoneSink } from './milestones';
import type { Venue } from './venue';

/**
 * What happens after an order's fills are recorded (exit legs, one-cancels-other); returns
 * the ids of orders that now need the account worked (new legs, cancels requested).
 */
export type AfterFill = (client: PoolClient, order: ExecOrder) => Promise<string[]>;

/** Asks for the account to be worked again (an orders job), after commit. */
export type RequestWork = (accountId: string, orderIds: string[]) => Promise<void>;

export function requestOf(order: ExecOrder, quantity = order.quantity): BrokerOrderRequest {
  return {
    clientOrderId: order.id,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity,
    limitPrice: order.limitPrice,
    stopPrice: order.stopPrice,
    trailPercent: order.trailPercent,
    trailAmount: order.trailAmount,
    timeInForce: order.timeInForce,
  };
}

/**
 * A CLOSE never sells (buys) more than is held when it is placed: a close decided against
 * orders that have not filled (or were cancelled) is capped here, or ends when nothing is
 * left to close. Returns the quantity to send, or null when the order was ended.
 */
export async function capClose(client: PoolClient, order: ExecOrder): Promise<Decimal | null> {
  if (order.role !== 'CLOSE') return order.quantity;
  const held = (await positionOf(client, order.accountId, order.symbol))?.quantity ?? new Decimal(0);
  const closable = order.side === 'SELL' ? Decimal.max(held, 0) : Decimal.max(held.neg(), 0);
  if (closable.isZero()) {
    await updateOrder(client, order, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'nothing left to close' }, {
      type: 'ORDER_CANCELLED',
      message: `Nothing to close: no ${order.side === 'SELL' ? 'long' : 'short'} position in ${order.symbol} when the close was placed`,
    });
    await refreshSignal(client, order.signalId);
    return null;
  }
  if (closable.lt(order.quantity)) {
    await updateOrder(client, order, { quantity: closable }, { type: 'NOTE', message: `Close capped at the position held: ${closable.toFixed()} of ${order.quantity.toFixed()}` });
    return closable;
  }
  return order.quantity;
}

async function signalReceivedAt(c: PoolClient, signalId: string): Promise<Date> {
  const { rows } = await c.query<{ received_at: Date }>({ name: 'executor-signal-received', text: 'SELECT received_at FROM signals WHERE id = $1', values: [signalId] });
  if (!rows[0]) throw new Error(`signal ${signalId} not found`);
  return rows[0].received_at;
}

/**
 * Orders at an external broker, placed at most once: the order is SUBMITTING (committed)
 * before the request leaves; whatever happens after (a crash, a timeout), resolve() first asks
 * the broker for our client order id and adopts what it has, and only sends again when the
 * broker has never seen it.
 */
export class BrokerVenue implements Venue {
  readonly serialise = true;

  constructor(
    private readonly pool: Pool,
    private readonly broker: Broker,
    private readonly afterFill: AfterFill,
    private readonly requestWork: RequestWork,
    private readonly log: Logger,
    /** Told, after commit, when a signal's order is accepted and when it is filled. */
    private readonly milestones: MilestoneSink = () => undefined,
  ) {}

  get name(): string {
    return this.broker.name;
  }

  async place(order: ExecOrder): Promise<void> {
    const request = await withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, order.accountId);
      const current = await loadOrder(c, order.id, true);
      if (!current || current.status !== 'NEW') return null;
      const q = await capClose(c, current);
      if (!q) return null;
      const carried: ExecOrder[] = [];
      for (const o of await carriedOrders(c, current.id)) {
        if (o.status !== 'NEW') continue;
        if (o.cancelRequestedAt) await cancelUnsent(c, o);
        else carried.push(o);
      }
      const pair = carried.length ? ` as one OCO order with its ${carried.map((o) => o.role).join(', ')}` : '';
      await updateOrder(c, current, { status: 'SUBMITTING' }, { type: 'SUBMITTING', message: `Sending to ${this.broker.name}${pair}` });
      for (const o of carried) await updateOrder(c, o, { status: 'SUBMITTING' }, { type: 'SUBMITTING', message: `Sending to ${this.broker.name} as a leg of OCO order ${current.id}` });
      return withLegs(requestOf(current, q), carried);
    });
    if (request) await this.send(order, request);
  }

  async resolve(order: ExecOrder): Promise<void> {
    const found = await this.broker.findByClientOrderId(order.id);
    if (found) {
      await this.apply(order.id, found, `Found at ${this.broker.name} after an interrupted placement: adopted`);
      return;
    }
    const carried = await withTransaction(this.pool, async (c) => {
      await updateOrder(c, order, {}, { type: 'RESUBMIT', message: `${this.broker.name} has never seen this order: sending it again` });
      return (await carriedOrders(c, order.id)).filter((o) => o.status === 'SUBMITTING');
    });
    await this.send(order, withLegs(requestOf(order), carried));
  }

  /**
   * The broker's view of one of our orders (null: it has never seen it). An order carried by
   * another (a native OCO's leg) is known there only as a leg of its carrier.
   */
  async brokerView(order: Pick<ExecOrder, 'id' | 'carriedBy' | 'brokerOrderId'>): Promise<BrokerOrder | null> {
    if (!order.carriedBy) return this.broker.findByClientOrderId(order.id);
    const carrier = await this.broker.findByClientOrderId(order.carriedBy);
    return carrier?.legs.find((l) => l.brokerOrderId === order.brokerOrderId) ?? (order.brokerOrderId ? null : (carrier?.legs[0] ?? null));
  }

  async cancel(order: ExecOrder): Promise<void> {
    try {
      await this.broker.cancel(order.id);
    } catch (err) {
      if (!(err instanceof BrokerError && err.opts.status === 404)) throw err;
      // The broker has no such order (this is never an uncertain placement: those are
      // resolved first): nothing of it can fill, so it ends here, and the event says why.
      await withTransaction(this.pool, async (c) => {
        const current = await loadOrder(c, order.id, true);
        if (!current || ['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'].includes(current.status)) return;
        const why = `${this.broker.name} has no such order: nothing to cancel there, it ends here`;
        await updateOrder(c, current, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: why }, { type: 'ORDER_CANCELLED', message: why });
        await refreshSignal(c, current.signalId);
      });
      return;
    }
    const found = await this.broker.findByClientOrderId(order.id);
    if (found) await this.apply(order.id, found, null);
  }

  private async send(order: ExecOrder, req: BrokerOrderRequest): Promise<void> {
    let result: BrokerOrder;
    try {
      result = await this.broker.place(req);
    } catch (err) {
      if (err instanceof BrokerError && err.code === 'BROKER_ERROR') {
        await withTransaction(this.pool, async (c) => {
          const refused = { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: err.message } as const;
          await updateOrder(c, order, refused, { type: 'ORDER_REJECTED', message: `${this.broker.name} refused the order: ${err.message}` });
          for (const o of await carriedOrders(c, order.id)) {
            if (o.status === 'SUBMITTING') await updateOrder(c, o, refused, { type: 'ORDER_REJECTED', message: `${this.broker.name} refused OCO order ${order.id}, of which this is a leg: ${err.message}` });
          }
          await refreshSignal(c, order.signalId);
        });
        return;
      }
      // Transient (or unknown whether it arrived): the order stays SUBMITTING and the job is
      // retried with backoff; the retry resolves it by client order id first.
      this.log.warn('placement not confirmed; will resolve by client order id', { orderId: order.id, signalId: order.signalId, err });
      throw err;
    }
    await this.apply(order.id, result, null);
  }

  /**
   * Records the broker's view of one of our orders: its id, status and fills, and those of its
   * legs that are ours (a native OCO's stop loss). Fills are taken from the cumulative filled
   * quantity (the broker's truth), so a stream event, a poll and a reconciliation reporting
   * the same execution record it once. `clientOrderId` is ours, or the broker's for a leg
   * (then the order is found by the broker's id).
   */
  async apply(clientOrderId: string, b: BrokerOrder, note: string | null): Promise<void> {
    const work: string[] = [];
    const reached: Milestone[] = [];
    let accountId = '';
    await withTransaction(this.pool, async (c) => {
      const row = await loadOrderFor(c, clientOrderId, b.brokerOrderId);
      if (!row) return;
      accountId = row.accountId;
      await lockAccountRow(c, row.accountId);
      await this.record(c, (await loadOrder(c, row.id, true)) ?? row, b, note, work, reached);
      if (!b.legs.length) return;
      const carried = await carriedOrders(c, row.id);
      for (const leg of b.legs) {
        const mine = carried.find((o) => o.brokerOrderId === leg.brokerOrderId) ?? carried.find((o) => o.brokerOrderId === null);
        if (!mine) continue;
        mine.brokerOrderId = leg.brokerOrderId; // taken: the next leg matches another row
        await this.record(c, (await loadOrder(c, mine.id, true)) ?? mine, leg, note, work, reached);
      }
    });
    for (const m of reached) this.milestones(m);
    if (work.length) await this.requestWork(accountId, work);
  }

  private async record(c: PoolClient, current: ExecOrder, b: BrokerOrder, note: string | null, work: string[], reached: Milestone[]): Promise<void> {
    let order = current;
    const before = order.status;
    if (note) await updateOrder(c, order, {}, { type: 'RECONCILED', message: note });
    if (b.filledQuantity.gt(order.filledQuantity)) {
      const delta = b.filledQuantity.minus(order.filledQuantity);
      const brokerTotal = b.filledQuantity.times(b.avgFillPrice ?? 0);
      const ours = order.filledQuantity.times(order.avgFillPrice ?? 0);
      const price = b.avgFillPrice && order.avgFillPrice ? brokerTotal.minus(ours).div(delta).toDecimalPlaces(10) : (b.avgFillPrice ?? new Decimal(0));
      order = (await recordFill(c, order, { id: `${b.brokerOrderId}:${b.filledQuantity.toFixed()}`, quantity: delta, price, at: new Date() })) ?? order;
      work.push(...(await this.afterFill(c, order)));
    }
    // A report of the order still working that arrives after we ended it (a stream event or a
    // poll older than the cancel) is stale: an ended order never goes back to working.
    const stale = ENDED.has(order.status) && !ENDED.has(b.status);
    const status = stale || (b.status === 'PARTIALLY_FILLED' && order.status === 'FILLED') ? order.status : b.status;
    if (status !== order.status || order.brokerOrderId !== b.brokerOrderId) {
      const ended = status === 'CANCELLED' || status === 'EXPIRED' || status === 'REJECTED';
      await updateOrder(
        c,
        order,
        {
          status,
          brokerOrderId: b.brokerOrderId,
          ...(ended ? { errorCode: status === 'REJECTED' ? 'BROKER_ERROR' : status === 'EXPIRED' ? 'ORDER_EXPIRED' : 'ORDER_CANCELLED', errorMessage: b.reason } : {}),
        },
        { type: `ORDER_${status}`, message: `${this.broker.name}: ${status}${b.reason ? ` (${b.reason})` : ''}, broker id ${b.brokerOrderId}` },
      );
    }
    await refreshSignal(c, order.signalId);
    const kinds = measuredRole(order.role) ? milestonesOf(before, status) : [];
    if (kinds.length) {
      const receivedAt = await signalReceivedAt(c, order.signalId);
      for (const kind of kinds) reached.push({ kind, broker: this.broker.name, role: order.role, receivedAt });
    }
  }
}

const ENDED = new Set<string>(['FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED']);

/** A take-profit order with its stop loss carried: one native OCO request. */
function withLegs(req: BrokerOrderRequest, carried: ExecOrder[]): BrokerOrderRequest {
  const stop = carried.find((o) => o.role === 'STOP_LOSS' && o.stopPrice !== null);
  if (!stop?.stopPrice || req.type !== 'LIMIT' || !req.limitPrice) return req;
  return { ...req, oco: { takeProfitLimitPrice: req.limitPrice, stopLossStopPrice: stop.stopPrice } };
}
