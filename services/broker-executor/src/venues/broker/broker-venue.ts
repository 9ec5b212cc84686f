import type { Pool, PoolClient } from 'pg';
import { isTerminalOrder } from '@utm/contracts';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { BrokerError, type Broker, type BrokerOrder, type BrokerOrderRequest } from './types';
import type { Execution } from '../../domain/fill';
import { lockAccountRow } from '../../repositories/accounts';
import { markCancelSent } from '../../repositories/broker-waits';
import {
  cancelUnsent,
  carriedOrders,
  loadOrder,
  refreshSignal,
  updateOrder,
  type ExecOrder,
} from '../../repositories/orders';
import { BrokerInstruments } from './broker-instruments';
import { BrokerRecorder } from './broker-record';
import { capClose, requestOf, withLegs } from './broker-requests';
import { fitToMarket } from './market-rules';
import { Replacements } from './broker-replace';
import type { MilestoneSink } from '../../domain/milestones';
import type { OrderVenue } from '../venue';

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
  private readonly instruments: BrokerInstruments;
  private readonly recorder: BrokerRecorder;

  constructor(
    private readonly pool: Pool,
    private readonly broker: Broker,
    private readonly legs: LegHooks,
    private readonly requestWork: RequestWork,
    private readonly log: Logger,
    /** Told, after commit, when a signal's order is accepted and when it is filled. */
    private readonly milestones: MilestoneSink = () => undefined,
    /** The same account for background reads (reconciliation), behind placement in its request budget. */
    private readonly background: Broker = broker,
  ) {
    this.replacements = new Replacements(pool, broker, this, legs, requestWork, log);
    this.instruments = new BrokerInstruments(pool, broker);
    this.recorder = new BrokerRecorder(pool, broker.name, legs, requestWork, milestones);
  }

  get name(): string {
    return this.broker.name;
  }

  get oppositeOrdersRefused(): boolean {
    return this.broker.capabilities.oppositeOrdersRefused ?? false;
  }

  async place(order: ExecOrder): Promise<void> {
    if (order.replaceMethod === 'AMEND') return this.replacements.place(order);
    // What the venue says of the instrument, asked before anything is marked as being sent.
    let instrument: Awaited<ReturnType<BrokerInstruments['rulesFor']>>;
    try {
      instrument = await this.instruments.rulesFor(order.symbol);
    } catch (err) {
      if (err instanceof BrokerError && err.refused) return this.refuse(order, err.code, err.message);
      throw err;
    }
    if (instrument === null)
      return this.refuse(order, 'ASSET_NOT_TRADABLE', `${this.broker.name} has no instrument ${order.symbol}`);
    // A spot venue: what the account holds there, which a close cannot sell more than.
    const spot = this.broker.capabilities.spot === true;
    const held =
      spot && order.role === 'CLOSE' && order.side === 'SELL' ? await this.broker.sellable?.(order.symbol) : undefined;
    const request = await withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, order.accountId);
      const current = await loadOrder(c, order.id, true);
      if (!current || current.status !== 'NEW') return null;
      const capped = await capClose(c, current);
      if (!capped) return null;
      const carried: ExecOrder[] = [];
      for (const o of await carriedOrders(c, current.id)) {
        if (o.status !== 'NEW') continue;
        if (o.cancelRequestedAt) await cancelUnsent(c, o);
        else carried.push(o);
      }
      const q = spot
        ? await fitToMarket(c, current, capped, carried, { rules: instrument ?? null, held: held ?? null })
        : capped;
      if (!q) return null;
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
    if (request) await this.send(order, { ...request, instrument: instrument ?? null });
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
    const instrument = (await this.instruments.stored(order.symbol)) ?? null;
    await this.send(order, { ...withLegs(requestOf(order), carried), instrument });
  }

  /**
   * The broker's view of one of our orders (null: it has never seen it). An order carried by
   * another (a native OCO's leg) is known there only as a leg of its carrier.
   */
  async brokerView(order: Pick<ExecOrder, 'id' | 'carriedBy' | 'brokerOrderId'>): Promise<BrokerOrder | null> {
    if (!order.carriedBy) return this.background.findByClientOrderId(order.id);
    const carrier = await this.background.findByClientOrderId(order.carriedBy);
    return (
      carrier?.legs.find((l) => l.brokerOrderId === order.brokerOrderId) ??
      (order.brokerOrderId ? null : (carrier?.legs[0] ?? null))
    );
  }

  /**
   * The broker's view of several orders: its open orders in one list (legs nested), then each
   * order the list does not show (ended, or never seen) on its own. A view that cannot be read is
   * left out of the map (the next pass tries again).
   */
  async brokerViews(
    orders: Pick<ExecOrder, 'id' | 'carriedBy' | 'brokerOrderId'>[],
  ): Promise<Map<string, BrokerOrder | null>> {
    const open = await this.background.openOrders();
    const byClient = new Map(open.map((o) => [o.clientOrderId, o]));
    const views = new Map<string, BrokerOrder | null>();
    for (const o of orders) {
      const listed = o.carriedBy
        ? byClient.get(o.carriedBy)?.legs.find((l) => l.brokerOrderId === o.brokerOrderId)
        : byClient.get(o.id);
      if (listed) views.set(o.id, listed);
      else {
        try {
          views.set(o.id, await this.brokerView(o));
        } catch (err) {
          this.log.warn('could not read an order at the broker; the next pass retries', { orderId: o.id, err });
        }
      }
    }
    return views;
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
    // Taken: the cancel may still be pending at the broker (Alpaca: pending_cancel), and is not
    // sent again; what waits for it waits until the broker reports the order ended.
    await withTransaction(this.pool, (c) => markCancelSent(c, order.id));
    const found = await this.broker.findByClientOrderId(order.id);
    if (found) await this.apply(order.id, found, null);
  }

  /** The order (and the legs it carries) refused, final: REJECTED with the code and why. */
  private async refuse(order: ExecOrder, code: string, message: string): Promise<void> {
    await withTransaction(this.pool, async (c) => {
      const current = await loadOrder(c, order.id, true);
      if (!current || (current.status !== 'NEW' && current.status !== 'SUBMITTING')) return;
      const refused = { status: 'REJECTED', errorCode: code, errorMessage: message } as const;
      await updateOrder(c, current, refused, {
        type: 'ORDER_REJECTED',
        message: `${code}: ${message}`,
      });
      for (const o of await carriedOrders(c, order.id)) {
        if (o.status === 'SUBMITTING' || o.status === 'NEW')
          await updateOrder(c, o, refused, {
            type: 'ORDER_REJECTED',
            message: `${code}, OCO order ${order.id} of which this is a leg: ${message}`,
          });
      }
      await refreshSignal(c, order.signalId);
    });
  }

  private async send(order: ExecOrder, req: BrokerOrderRequest): Promise<void> {
    let result: BrokerOrder;
    try {
      result = await this.broker.place(req);
    } catch (err) {
      if (err instanceof BrokerError && err.refused) return this.refuse(order, err.code, err.message);
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
   * Records the broker's view of one of our orders (broker-record.ts). `clientOrderId` is ours,
   * or the broker's for a leg (then the order is found by the broker's id).
   */
  apply(clientOrderId: string, b: BrokerOrder, note: string | null): Promise<void> {
    return this.recorder.apply(clientOrderId, b, note);
  }
}
