import type { Pool, PoolClient } from 'pg';
import { Decimal, withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { sessionCloseAfter, type MarketClock } from '../paper/market-clock';
import { affordable, expireIfDue, onArrival, onQuote, priceToPay, type MatchOutcome, type PaperOrder } from '../paper/matching';
import { lockAccountRow, recordFill } from '../repositories/accounts';
import { paperContext, type PaperContext } from '../repositories/paper-context';
import { afterFill } from '../repositories/legs';
import { loadOrder, refreshSignal, setSignalOutcome, updateOrder, type ExecOrder } from '../repositories/orders';
import { measuredRole, type Milestone, type MilestoneSink } from './milestones';
import type { Venue } from './venue';

export function paperOrderOf(o: ExecOrder): PaperOrder {
  return {
    id: o.id,
    seq: o.seq,
    side: o.side,
    type: o.type,
    remaining: o.quantity.minus(o.filledQuantity),
    limitPrice: o.limitPrice,
    stopPrice: o.stopPrice,
    trailPercent: o.trailPercent,
    trailAmount: o.trailAmount,
    trailReference: o.trailReference,
    triggered: o.triggeredAt !== null,
    timeInForce: o.timeInForce,
    expiresAt: o.expiresAt,
  };
}

/**
 * The paper broker. Its book is our orders table: an accepted order rests (status ACCEPTED)
 * until a quote crosses it; a fill changes the order, the position and cash in the same
 * transaction, under the account's lock. Behaves like a broker: refuses what the account
 * cannot pay for, does not rest IOC/FOK, expires DAY orders at the session close.
 */
export class PaperVenue implements Venue {
  // Not needed for order (each placement is one transaction under the account row lock), but
  // measured: without it, concurrent jobs of one account all walk the same backlog and queue
  // on the row lock; with it, the first job works the backlog and the others find nothing.
  readonly serialise = true;

  constructor(
    private readonly pool: Pool,
    private readonly clock: MarketClock,
    private readonly now: () => Date,
    private readonly log: Logger,
    /** Told, after commit, when a signal's order is accepted and when it is filled. */
    private readonly milestones: MilestoneSink = () => undefined,
  ) {}

  /** Runs one transaction; reports the milestones it reached once it has committed. */
  private async committed<T>(fn: (c: PoolClient, reached: Milestone[]) => Promise<T>): Promise<T> {
    const reached: Milestone[] = [];
    const result = await withTransaction(this.pool, (c) => fn(c, reached));
    for (const m of reached) this.milestones(m);
    return result;
  }

  async place(order: ExecOrder): Promise<void> {
    await this.committed(async (c, reached) => {
      const ctx = await paperContext(c, order.id);
      if (!ctx || (ctx.order.status !== 'NEW' && ctx.order.status !== 'SUBMITTING')) return;
      let o = ctx.order;
      const done = (next: ExecOrder) => this.settle(c, ctx, next, reached);
      if (o.role === 'CLOSE') {
        const held = ctx.position?.quantity ?? new Decimal(0);
        const closable = o.side === 'SELL' ? Decimal.max(held, 0) : Decimal.max(held.neg(), 0);
        if (closable.isZero()) {
          const why = `Nothing to close: no ${o.side === 'SELL' ? 'long' : 'short'} position in ${o.symbol} when the close was placed`;
          await updateOrder(c, o, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'nothing left to close' }, { type: 'ORDER_CANCELLED', message: why });
          return done({ ...o, status: 'CANCELLED' });
        }
        if (closable.lt(o.quantity)) {
          await updateOrder(c, o, { quantity: closable }, { type: 'NOTE', message: `Close capped at the position held: ${closable.toFixed()} of ${o.quantity.toFixed()}` });
          o = { ...o, quantity: closable };
        }
      }
      const price = priceToPay(paperOrderOf(o), ctx.quote) ?? o.priceBasis;
      if (price) {
        const check = affordable({
          side: o.side,
          quantity: o.quantity.minus(o.filledQuantity),
          price,
          position: ctx.position?.quantity ?? new Decimal(0),
          cash: ctx.cash,
          reservations: ctx.reservations,
          shortExposure: ctx.shortExposure,
        });
        if (!check.ok) {
          await updateOrder(c, o, { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: check.reason }, { type: 'ORDER_REJECTED', message: `Paper broker refused the order: ${check.reason}` });
          return done({ ...o, status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: check.reason });
        }
      }
      const now = this.now();
      const expiresAt = o.timeInForce === 'DAY' ? sessionCloseAfter(now, this.clock) : null;
      await updateOrder(c, o, { status: 'ACCEPTED', brokerOrderId: `paper-${o.id}`, expiresAt }, {
        type: 'ORDER_ACCEPTED',
        message: `Paper broker accepted the order${expiresAt ? `; a DAY order, it expires at ${expiresAt.toISOString()}` : ''}`,
      });
      const accepted: ExecOrder = { ...o, status: 'ACCEPTED', expiresAt };
      if (measuredRole(o.role)) reached.push({ kind: 'accepted', broker: 'paper', role: o.role, receivedAt: ctx.signalReceivedAt });
      return done(await this.apply(c, accepted, onArrival(paperOrderOf(accepted), ctx.quote, now), ctx));
    });
  }

  /** The paper broker records acceptance in the same transaction as placement: nothing is uncertain. */
  async resolve(order: ExecOrder): Promise<void> {
    await this.place(order);
  }

  async cancel(order: ExecOrder): Promise<void> {
    await withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, order.accountId);
      const current = await loadOrder(c, order.id, true);
      if (!current || !['ACCEPTED', 'PARTIALLY_FILLED'].includes(current.status)) return;
      await updateOrder(c, current, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'cancelled on request' }, { type: 'ORDER_CANCELLED', message: 'Cancelled at the paper broker (a close or reverse asked for it)' });
      await refreshSignal(c, current.signalId);
    });
  }

  /**
   * The latest quote for a resting order (the quote engine calls this in time priority).
   * Returns true when the order changed. Orders asked to cancel do not trade any more.
   */
  async onQuote(orderId: string): Promise<boolean> {
    return this.reevaluate(orderId, (o, ctx) => (ctx.quote ? onQuote(paperOrderOf(o), ctx.quote, this.now()) : null));
  }

  /** A DAY order at its session close (the quote engine's pass finds them). */
  async expire(orderId: string): Promise<boolean> {
    return this.reevaluate(orderId, (o) => expireIfDue(o, this.now()));
  }

  private async reevaluate(orderId: string, decide: (o: ExecOrder, ctx: PaperContext) => MatchOutcome | null): Promise<boolean> {
    return this.committed(async (c, reached) => {
      const ctx = await paperContext(c, orderId);
      const o = ctx?.order;
      if (!ctx || !o || !['ACCEPTED', 'PARTIALLY_FILLED'].includes(o.status) || o.cancelRequestedAt) return false;
      const outcome = decide(o, ctx);
      if (!outcome || (outcome.kind === 'REST' && !Object.keys(outcome.changes).length)) return false;
      await this.settle(c, ctx, await this.apply(c, o, outcome, ctx), reached);
      return true;
    });
  }

  /** The signal's status from its orders as they now stand (legs do not count). */
  private async settle(c: PoolClient, ctx: PaperContext, o: ExecOrder, reached: Milestone[]): Promise<void> {
    const before = ctx.signalOrders.get(o.id);
    if (!before) return;
    if (o.status === 'FILLED' && before.status !== 'FILLED') reached.push({ kind: 'filled', broker: 'paper', role: o.role, receivedAt: ctx.signalReceivedAt });
    ctx.signalOrders.set(o.id, { status: o.status, filledQuantity: o.filledQuantity, errorCode: o.errorCode ?? null, errorMessage: o.errorMessage ?? null });
    await setSignalOutcome(c, o.signalId, [...ctx.signalOrders.values()]);
  }

  /** Records what the matching rules decided; returns the order as it now stands. */
  private async apply(c: PoolClient, o: ExecOrder, outcome: MatchOutcome, ctx: PaperContext): Promise<ExecOrder> {
    switch (outcome.kind) {
      case 'FILL': {
        const filledAfter = o.filledQuantity.plus(outcome.quantity);
        const filled = await recordFill(c, o, { id: `paper:${o.id}:${filledAfter.toFixed()}`, quantity: outcome.quantity, price: outcome.price, at: this.now() }, ctx.position);
        if (!filled) return o;
        await afterFill(c, filled, { mode: 'paper' });
        return filled;
      }
      case 'REST': {
        const ch = outcome.changes;
        if (!Object.keys(ch).length) return o;
        await updateOrder(
          c,
          o,
          { ...(ch.triggered ? { triggeredAt: this.now() } : {}), ...(ch.stopPrice ? { stopPrice: ch.stopPrice } : {}), ...(ch.trailReference ? { trailReference: ch.trailReference } : {}) },
          ch.triggered ? { type: 'ORDER_TRIGGERED', message: outcome.reason } : null,
        );
        return o;
      }
      case 'CANCEL':
        await updateOrder(c, o, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: outcome.reason }, { type: 'ORDER_CANCELLED', message: outcome.reason });
        return { ...o, status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: outcome.reason };
      case 'EXPIRE':
        await updateOrder(c, o, { status: 'EXPIRED', errorCode: 'ORDER_EXPIRED', errorMessage: outcome.reason }, { type: 'ORDER_EXPIRED', message: outcome.reason });
        return { ...o, status: 'EXPIRED', errorCode: 'ORDER_EXPIRED', errorMessage: outcome.reason };
      case 'REJECT':
        await updateOrder(c, o, { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: outcome.reason }, { type: 'ORDER_REJECTED', message: outcome.reason });
        return { ...o, status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: outcome.reason };
    }
  }
}
