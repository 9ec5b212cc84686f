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
import type { BrokerOrder } from './types';
import { lockAccountRow } from '../../repositories/accounts';
import { clearCancelSent, waitingInSymbol } from '../../repositories/broker-waits';
import {
  addEvent,
  carriedOrders,
  loadOrder,
  loadOrderFor,
  refreshSignal,
  updateOrder,
  type ExecOrder,
} from '../../repositories/orders';
import { recordResized, replacementOf, waitingOn } from '../../repositories/replacements';
import { signalReceivedAt } from './broker-requests';
import { measuredRole, milestonesOf, type Milestone, type MilestoneSink } from '../../domain/milestones';
import type { LegHooks, RequestWork } from './broker-venue';

/** What recording the broker's answers led to, acted on after commit (milestones, work) or at its end (legs settled). */
interface Outcome {
  work: string[];
  reached: Milestone[];
  settled: ExecOrder[];
}

/**
 * The broker's answers about our orders, written down: an order's status, broker id and fills,
 * and what follows from them (exit legs, replacements that took effect, orders that waited for
 * this one, a cancel that did not take), each with its event.
 */
export class BrokerRecorder {
  constructor(
    private readonly pool: Pool,
    private readonly brokerName: string,
    private readonly legs: LegHooks,
    private readonly requestWork: RequestWork,
    private readonly milestones: MilestoneSink,
  ) {}

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
    // Our cancel was taken, yet the broker reports the order working and no cancel pending: it
    // did not take (Alpaca: order_cancel_rejected). It is asked for again.
    if (
      order.cancelSentAt &&
      !isTerminalOrder(order.status) &&
      !isTerminalOrder(b.status) &&
      b.pendingCancel === false
    ) {
      await clearCancelSent(c, order.id);
      await addEvent(
        c,
        order.signalId,
        order.id,
        'CANCEL_REJECTED',
        `${this.brokerName} reports the order still working, its cancel not pending: asking again`,
      );
      out.work.push(order.id);
    }
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
        { type: 'ORDER_REPLACED', message: `${this.brokerName}: ${why}; this order ends here` },
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
                errorMessage:
                  b.reason ?? (status === 'REJECTED' ? `${this.brokerName} rejected the order after taking it` : null),
              }
            : {}),
        },
        {
          type: orderStatusEvent(status),
          message: `${this.brokerName}: ${status}${b.reason ? ` (${b.reason})` : ''}, broker id ${b.brokerOrderId}`,
        },
      );
    }
    await refreshSignal(c, order.signalId);
    if (status !== before) await this.followUp(c, { ...order, status, brokerOrderId: b.brokerOrderId }, before, out);
    const kinds = measuredRole(order.role) ? milestonesOf(before, status) : [];
    if (kinds.length) {
      const receivedAt = await signalReceivedAt(c, order.signalId);
      for (const kind of kinds) out.reached.push({ kind, broker: this.brokerName, role: order.role, receivedAt });
    }
  }

  /** An order's status changed: replacements waiting on it, a resize that took effect, a leg settled. */
  private async followUp(c: PoolClient, order: ExecOrder, before: OrderStatus, out: Outcome): Promise<void> {
    out.work.push(...(await waitingOn(c, order.id)));
    // Orders in the symbol that waited for this one to end (its shares, its side) may go now.
    if (isTerminalOrder(order.status)) out.work.push(...(await waitingInSymbol(c, order.accountId, order.symbol)));
    if (!isExitRole(order.role) || !isUnplacedOrder(before)) return;
    if (order.replaces && (isWorkingOrder(order.status) || order.status === 'FILLED'))
      await recordResized(c, order, this.brokerName);
    if (before === 'SUBMITTING') out.settled.push(order);
  }
}
