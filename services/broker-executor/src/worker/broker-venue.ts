import type { Pool, PoolClient } from 'pg';
import {
  canTransitionOrder,
  isExitRole,
  isTerminalOrder,
  isUnplacedOrder,
  isWorkingOrder,
  orderStatusEvent,
  type OrderStatus,
} from '@utm/contracts';
import { Decimal, withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { BrokerError, type Broker, type BrokerOrder, type BrokerOrderRequest } from '../brokers/types';
import type { Execution } from '../domain/fill';
import { lockAccountRow } from '../repositories/accounts';
import {
  cancelUnsent,
  carriedOrders,
  loadOrder,
  loadOrderFor,
  refreshSignal,
  updateOrder,
  type ExecOrder,
} from '../repositories/orders';
import { recordResized, replacementOf, waitingOn } from '../repositories/replacements';
import { capClose, requestOf, signalReceivedAt, withLegs } from './broker-requests';
import { Replacements } from './broker-replace';
import { measuredRole, milestonesOf, type Milestone, type MilestoneSink } from '../domain/milestones';
import type { OrderVenue } from './venue';

/** What follows from the broker's answers for exit legs; each returns the ids of orders that now need the account worked. */
export interface LegHooks {
  /**
   * Records one execution (use-cases/record-fill.ts): the order, position and cash, and its exit
   * legs created or resized, one-cancels-other. Null: that execution was already recorded.
   */
  fill(
    client: PoolClient,
    order: ExecOrder,
    execution: Execution,
  ): Promise<{ order: ExecOrder; work: string[] } | null>;
  /** After an exit leg's placement or replacement is settled at the broker: its entry's legs sized again. */
  afterSettle(client: PoolClient, leg: ExecOrder): Promise<string[]>;
}

/** Asks for the account to be worked again (an orders job), after commit. */
export type RequestWork = (accountId: string, orderIds: string[]) => Promise<void>;

/** What recording the broker's answers led to, acted on after commit (milestones, work) or at its end (legs settled). */
interface Outcome {
  work: string[];
  reached: Milestone[];
  settled: ExecOrder[];
}

/**
 * Orders at an external broker, placed at most once: the order is SUBMITTING (committed)
 * before the request leaves; whatever happens after (a crash, a timeout), resolve() first asks
 * the broker for our client order id and adopts what it has, and only sends again when the
 * broker has never seen it. A resized exit leg replaced through the broker's replace request
 * goes the same way (broker-replace.ts).
 */
export class BrokerVenue implements OrderVenue {
  readonly serialise = true;
  private readonly replacements: Replacements;

  constructor(
    private readonly pool: Pool,
    private readonly broker: Broker,
    private readonly legs: LegHooks,
    private readonly requestWork: RequestWork,
    private readonly log: Logger,
    /** Told, after commit, when a signal's order is accepted and when it is filled. */
    private readonly milestones: MilestoneSink = () => undefined,
  ) {
    this.replacements = new Replacements(pool, broker, this, legs, requestWork, log);
  }

  get name(): string {
    return this.broker.name;
  }

  async place(order: ExecOrder): Promise<void> {
    if (order.replaceMethod === 'AMEND') return this.replacements.place(order);
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
      await updateOrder(
        c,
        current,
        { status: 'SUBMITTING' },
        { type: 'SUBMITTING', message: `Sending to ${this.broker.name}${pair}` },
      );
      for (const o of carried)
        await updateOrder(
          c,
          o,
          { status: 'SUBMITTING' },
          { type: 'SUBMITTING', message: `Sending to ${this.broker.name} as a leg of OCO order ${current.id}` },
        );
      return withLegs(requestOf(current, q), carried);
    });
    if (request) await this.send(order, request);
  }

  async resolve(order: ExecOrder): Promise<void> {
    if (order.replaceMethod === 'AMEND') return this.replacements.resolve(order);
    const found = await this.broker.findByClientOrderId(order.id);
    if (found) {
      await this.apply(order.id, found, `Found at ${this.broker.name} after an interrupted placement: adopted`);
      return;
    }
    const carried = await withTransaction(this.pool, async (c) => {
      await updateOrder(
        c,
        order,
        {},
        { type: 'RESUBMIT', message: `${this.broker.name} has never seen this order: sending it again` },
      );
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
    return (
      carrier?.legs.find((l) => l.brokerOrderId === order.brokerOrderId) ??
      (order.brokerOrderId ? null : (carrier?.legs[0] ?? null))
    );
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
        if (!current || isTerminalOrder(current.status)) return;
        const why = `${this.broker.name} has no such order: nothing to cancel there, it ends here`;
        await updateOrder(
          c,
          current,
          { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: why },
          { type: 'ORDER_CANCELLED', message: why },
        );
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
          await updateOrder(c, order, refused, {
            type: 'ORDER_REJECTED',
            message: `${this.broker.name} refused the order: ${err.message}`,
          });
          for (const o of await carriedOrders(c, order.id)) {
            if (o.status === 'SUBMITTING')
              await updateOrder(c, o, refused, {
                type: 'ORDER_REJECTED',
                message: `${this.broker.name} refused OCO order ${order.id}, of which this is a leg: ${err.message}`,
              });
          }
          await refreshSignal(c, order.signalId);
        });
        return;
      }
      // Transient (or unknown whether it arrived): the order stays SUBMITTING and the job is
      // retried with backoff; the retry resolves it by client order id first.
      this.log.warn('placement not confirmed; will resolve by client order id', {
        orderId: order.id,
        signalId: order.signalId,
        err,
      });
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
    const out: Outcome = { work: [], reached: [], settled: [] };
    let accountId = '';
    await withTransaction(this.pool, async (c) => {
      const row = await loadOrderFor(c, clientOrderId, b.brokerOrderId);
      if (!row) return;
      accountId = row.accountId;
      await lockAccountRow(c, row.accountId);
      await this.record(c, (await loadOrder(c, row.id, true)) ?? row, b, note, out);
      const carried = b.legs.length ? await carriedOrders(c, row.id) : [];
      for (const leg of b.legs) {
        const mine =
          carried.find((o) => o.brokerOrderId === leg.brokerOrderId) ?? carried.find((o) => o.brokerOrderId === null);
        if (!mine) continue;
        mine.brokerOrderId = leg.brokerOrderId; // taken: the next leg matches another row
        await this.record(c, (await loadOrder(c, mine.id, true)) ?? mine, leg, note, out);
      }
      // Once per entry: an OCO pair settles as one.
      const entries = new Set<string>();
      for (const leg of out.settled) {
        if (leg.parentOrderId === null || entries.has(leg.parentOrderId)) continue;
        entries.add(leg.parentOrderId);
        out.work.push(...(await this.legs.afterSettle(c, leg)));
      }
    });
    for (const m of out.reached) this.milestones(m);
    if (out.work.length) await this.requestWork(accountId, out.work);
  }

  private async record(
    c: PoolClient,
    current: ExecOrder,
    b: BrokerOrder,
    note: string | null,
    out: Outcome,
  ): Promise<void> {
    let order = current;
    const before = order.status;
    if (note) await updateOrder(c, order, {}, { type: 'RECONCILED', message: note });
    if (b.filledQuantity.gt(order.filledQuantity)) {
      const delta = b.filledQuantity.minus(order.filledQuantity);
      const brokerTotal = b.filledQuantity.times(b.avgFillPrice ?? 0);
      const ours = order.filledQuantity.times(order.avgFillPrice ?? 0);
      const price =
        b.avgFillPrice && order.avgFillPrice
          ? brokerTotal.minus(ours).div(delta).toDecimalPlaces(10)
          : (b.avgFillPrice ?? new Decimal(0));
      const filled = await this.legs.fill(c, order, {
        id: `${b.brokerOrderId}:${b.filledQuantity.toFixed()}`,
        quantity: delta,
        price,
        at: new Date(),
      });
      if (filled) {
        order = filled.order;
        out.work.push(...filled.work);
      }
    }
    // A report the order's lifecycle does not allow from where it stands is stale (a stream
    // event or a poll older than what we recorded: still working after we ended it, partly
    // filled after it filled): the order keeps its status.
    const stale = !canTransitionOrder(order.status, b.status);
    // Replaced at the broker by a replacement row of ours: this row ends, that one carries on.
    const successor =
      b.replacedBy && !isTerminalOrder(order.status) ? await replacementOf(c, order.id, b.replacedBy) : null;
    const status = successor ? 'CANCELLED' : stale ? order.status : b.status;
    if (successor) {
      const why = `replaced by order ${successor} (broker id ${b.replacedBy ?? ''})`;
      await updateOrder(
        c,
        order,
        { status, brokerOrderId: b.brokerOrderId, errorCode: 'ORDER_CANCELLED', errorMessage: why },
        { type: 'ORDER_REPLACED', message: `${this.broker.name}: ${why}; this order ends here` },
      );
    } else if (status !== order.status || order.brokerOrderId !== b.brokerOrderId) {
      const ended = status === 'CANCELLED' || status === 'EXPIRED' || status === 'REJECTED';
      await updateOrder(
        c,
        order,
        {
          status,
          brokerOrderId: b.brokerOrderId,
          ...(ended
            ? {
                errorCode:
                  status === 'REJECTED' ? 'BROKER_ERROR' : status === 'EXPIRED' ? 'ORDER_EXPIRED' : 'ORDER_CANCELLED',
                errorMessage: b.reason,
              }
            : {}),
        },
        {
          type: orderStatusEvent(status),
          message: `${this.broker.name}: ${status}${b.reason ? ` (${b.reason})` : ''}, broker id ${b.brokerOrderId}`,
        },
      );
    }
    await refreshSignal(c, order.signalId);
    if (status !== before) await this.followUp(c, { ...order, status, brokerOrderId: b.brokerOrderId }, before, out);
    const kinds = measuredRole(order.role) ? milestonesOf(before, status) : [];
    if (kinds.length) {
      const receivedAt = await signalReceivedAt(c, order.signalId);
      for (const kind of kinds) out.reached.push({ kind, broker: this.broker.name, role: order.role, receivedAt });
    }
  }

  /** An order's status changed: replacements waiting on it, a resize that took effect, a leg settled. */
  private async followUp(c: PoolClient, order: ExecOrder, before: OrderStatus, out: Outcome): Promise<void> {
    out.work.push(...(await waitingOn(c, order.id)));
    if (!isExitRole(order.role) || !isUnplacedOrder(before)) return;
    if (order.replaces && (isWorkingOrder(order.status) || order.status === 'FILLED'))
      await recordResized(c, order, this.broker.name);
    if (before === 'SUBMITTING') out.settled.push(order);
  }
}
