import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { MarketClock } from '../paper/market-clock';
import { expireIfDue, onQuote, type MatchOutcome } from '../paper/matching';
import { PaperBatch, paperOrderOf } from '../paper/placement';
import { recordFill } from '../repositories/accounts';
import { paperContext, type PaperContext } from '../repositories/paper-context';
import { writePaperBatch, type PaperWork } from '../repositories/paper-batch';
import { afterFill } from '../repositories/legs';
import { setSignalOutcome, updateOrder, type ExecOrder } from '../repositories/orders';
import type { Milestone, MilestoneSink } from './milestones';

/**
 * The paper broker. Its book is our orders table: an accepted order rests (status ACCEPTED)
 * until a quote crosses it; a fill changes the order, the position and cash in the same
 * transaction, under the account's lock. Behaves like a broker: refuses what the account
 * cannot pay for, does not rest IOC/FOK, expires DAY orders at the session close.
 * Placements and cancels come in batches from the account executor (workIn); quotes and the
 * session close re-evaluate resting orders one at a time, in time priority (the quote engine).
 */
export class PaperVenue {
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
    this.report(reached);
    return result;
  }

  /**
   * Works the locked accounts' actionable orders, in sequence within each account, inside the
   * caller's transaction, which holds the accounts' row locks: every placement and cancel
   * decided in memory by the paper batch, then one write. Returns the milestones reached, to
   * report once the transaction has committed.
   */
  async workIn(
    c: PoolClient,
    { orders, book }: PaperWork,
    check: (o: ExecOrder) => void = () => undefined,
  ): Promise<Milestone[]> {
    if (!orders.length) return [];
    const batch = new PaperBatch(book, this.clock, this.now());
    for (const order of orders) {
      check(order);
      batch.act(order);
    }
    await writePaperBatch(c, batch.writes);
    return batch.writes.milestones;
  }

  /** Reports milestones reached in a transaction the caller ran, once it has committed. */
  report(reached: Milestone[]): void {
    for (const m of reached) this.milestones(m);
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

  private async reevaluate(
    orderId: string,
    decide: (o: ExecOrder, ctx: PaperContext) => MatchOutcome | null,
  ): Promise<boolean> {
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
    if (o.status === 'FILLED' && before.status !== 'FILLED')
      reached.push({ kind: 'filled', broker: 'paper', role: o.role, receivedAt: ctx.signalReceivedAt });
    ctx.signalOrders.set(o.id, {
      status: o.status,
      filledQuantity: o.filledQuantity,
      errorCode: o.errorCode ?? null,
      errorMessage: o.errorMessage ?? null,
    });
    await setSignalOutcome(c, o.signalId, [...ctx.signalOrders.values()]);
  }

  /** Records what the matching rules decided; returns the order as it now stands. */
  private async apply(c: PoolClient, o: ExecOrder, outcome: MatchOutcome, ctx: PaperContext): Promise<ExecOrder> {
    switch (outcome.kind) {
      case 'FILL': {
        const filledAfter = o.filledQuantity.plus(outcome.quantity);
        const filled = await recordFill(
          c,
          o,
          {
            id: `paper:${o.id}:${filledAfter.toFixed()}`,
            quantity: outcome.quantity,
            price: outcome.price,
            at: this.now(),
          },
          ctx.position,
        );
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
          {
            ...(ch.triggered ? { triggeredAt: this.now() } : {}),
            ...(ch.stopPrice ? { stopPrice: ch.stopPrice } : {}),
            ...(ch.trailReference ? { trailReference: ch.trailReference } : {}),
          },
          ch.triggered ? { type: 'ORDER_TRIGGERED', message: outcome.reason } : null,
        );
        return o;
      }
      case 'CANCEL':
        await updateOrder(
          c,
          o,
          { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: outcome.reason },
          { type: 'ORDER_CANCELLED', message: outcome.reason },
        );
        return { ...o, status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: outcome.reason };
      case 'EXPIRE':
        await updateOrder(
          c,
          o,
          { status: 'EXPIRED', errorCode: 'ORDER_EXPIRED', errorMessage: outcome.reason },
          { type: 'ORDER_EXPIRED', message: outcome.reason },
        );
        return { ...o, status: 'EXPIRED', errorCode: 'ORDER_EXPIRED', errorMessage: outcome.reason };
      case 'REJECT':
        await updateOrder(
          c,
          o,
          { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: outcome.reason },
          { type: 'ORDER_REJECTED', message: outcome.reason },
        );
        return { ...o, status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: outcome.reason };
    }
  }
}
