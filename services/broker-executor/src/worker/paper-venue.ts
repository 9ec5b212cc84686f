import type { Pool, PoolClient } from 'pg';
import { Decimal, withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import { sessionCloseAfter, type MarketClock } from '../paper/market-clock';
import { affordable, expireIfDue, onArrival, onQuote, priceToPay, type MatchOutcome, type PaperOrder } from '../paper/matching';
import { lockAccountRow, positionOf, quoteOf, recordFill } from '../repositories/accounts';
import { afterFill } from '../repositories/legs';
import { loadOrder, refreshSignal, updateOrder, type ExecOrder } from '../repositories/orders';
import { capClose } from './broker-venue';
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

/** Buying power held elsewhere in the account: other open entries, and shorts (×2, the processor's rule). */
async function exposure(client: PoolClient, accountId: string, exceptOrderId: string): Promise<{ reservations: Decimal; shortExposure: Decimal }> {
  const { rows } = await client.query<{ reservations: string; short_exposure: string }>({
    name: 'paper-exposure',
    text: `SELECT
             (SELECT coalesce(sum((quantity - filled_quantity) * coalesce(price_basis, 0)), 0)::text FROM orders
               WHERE account_id = $1 AND id <> $2 AND role = 'ENTRY' AND status IN ('NEW','SUBMITTING','ACCEPTED','PARTIALLY_FILLED')
                 AND cancel_requested_at IS NULL) AS reservations,
             (SELECT coalesce(sum(abs(p.quantity) * coalesce(q.price, p.avg_price)), 0)::text FROM positions p LEFT JOIN quotes q USING (symbol)
               WHERE p.account_id = $1 AND p.quantity < 0) AS short_exposure`,
    values: [accountId, exceptOrderId],
  });
  return { reservations: new Decimal(rows[0]?.reservations ?? '0'), shortExposure: new Decimal(rows[0]?.short_exposure ?? '0') };
}

/**
 * The paper broker. Its book is our orders table: an accepted order rests (status ACCEPTED)
 * until a quote crosses it; a fill changes the order, the position and cash in the same
 * transaction, under the account's lock. Behaves like a broker: refuses what the account
 * cannot pay for, does not rest IOC/FOK, expires DAY orders at the session close.
 */
export class PaperVenue implements Venue {
  constructor(
    private readonly pool: Pool,
    private readonly clock: MarketClock,
    private readonly now: () => Date,
    private readonly log: Logger,
  ) {}

  async place(order: ExecOrder): Promise<void> {
    await withTransaction(this.pool, async (c) => {
      const account = await lockAccountRow(c, order.accountId);
      const current = await loadOrder(c, order.id, true);
      if (!current || (current.status !== 'NEW' && current.status !== 'SUBMITTING')) return;
      const quantity = await capClose(c, current);
      if (!quantity) return;
      const o = { ...current, quantity };
      const quote = await quoteOf(c, o.symbol);
      const price = priceToPay(paperOrderOf(o), quote) ?? o.priceBasis;
      if (price) {
        const { reservations, shortExposure } = await exposure(c, o.accountId, o.id);
        const position = (await positionOf(c, o.accountId, o.symbol))?.quantity ?? new Decimal(0);
        const check = affordable({ side: o.side, quantity: o.quantity.minus(o.filledQuantity), price, position, cash: account.cash, reservations, shortExposure });
        if (!check.ok) {
          await updateOrder(c, o, { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: check.reason }, { type: 'ORDER_REJECTED', message: `Paper broker refused the order: ${check.reason}` });
          await refreshSignal(c, o.signalId);
          return;
        }
      }
      const now = this.now();
      const expiresAt = o.timeInForce === 'DAY' ? sessionCloseAfter(now, this.clock) : null;
      await updateOrder(c, o, { status: 'ACCEPTED', brokerOrderId: `paper-${o.id}`, expiresAt }, {
        type: 'ORDER_ACCEPTED',
        message: `Paper broker accepted the order${expiresAt ? `; a DAY order, it expires at ${expiresAt.toISOString()}` : ''}`,
      });
      await this.apply(c, { ...o, status: 'ACCEPTED', expiresAt }, onArrival(paperOrderOf({ ...o, expiresAt }), quote, now));
      await refreshSignal(c, o.signalId);
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
   * A new quote for a resting order (the quote engine calls this in time priority). Returns
   * true when the order changed. Orders asked to cancel do not trade any more.
   */
  async onQuote(orderId: string, accountId: string, quote: Decimal): Promise<boolean> {
    return withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, accountId);
      const o = await loadOrder(c, orderId, true);
      if (!o || !['ACCEPTED', 'PARTIALLY_FILLED'].includes(o.status) || o.cancelRequestedAt) return false;
      const outcome = onQuote(paperOrderOf(o), quote, this.now());
      if (outcome.kind === 'REST' && !Object.keys(outcome.changes).length) return false;
      await this.apply(c, o, outcome);
      await refreshSignal(c, o.signalId);
      return true;
    });
  }

  /** A DAY order at its session close (the quote engine's pass finds them). */
  async expire(orderId: string, accountId: string): Promise<boolean> {
    return withTransaction(this.pool, async (c) => {
      await lockAccountRow(c, accountId);
      const o = await loadOrder(c, orderId, true);
      if (!o || !['ACCEPTED', 'PARTIALLY_FILLED'].includes(o.status)) return false;
      const outcome = expireIfDue(o, this.now());
      if (!outcome) return false;
      await this.apply(c, o, outcome);
      await refreshSignal(c, o.signalId);
      return true;
    });
  }

  private async apply(c: PoolClient, o: ExecOrder, outcome: MatchOutcome): Promise<void> {
    switch (outcome.kind) {
      case 'FILL': {
        const filledAfter = o.filledQuantity.plus(outcome.quantity);
        const filled = await recordFill(c, o, { id: `paper:${o.id}:${filledAfter.toFixed()}`, quantity: outcome.quantity, price: outcome.price, at: this.now() });
        if (filled) await afterFill(c, filled, 'paper');
        return;
      }
      case 'REST': {
        const ch = outcome.changes;
        if (!Object.keys(ch).length) return;
        await updateOrder(
          c,
          o,
          { ...(ch.triggered ? { triggeredAt: this.now() } : {}), ...(ch.stopPrice ? { stopPrice: ch.stopPrice } : {}), ...(ch.trailReference ? { trailReference: ch.trailReference } : {}) },
          ch.triggered ? { type: 'ORDER_TRIGGERED', message: outcome.reason } : null,
        );
        return;
      }
      case 'CANCEL':
        await updateOrder(c, o, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: outcome.reason }, { type: 'ORDER_CANCELLED', message: outcome.reason });
        return;
      case 'EXPIRE':
        await updateOrder(c, o, { status: 'EXPIRED', errorCode: 'ORDER_EXPIRED', errorMessage: outcome.reason }, { type: 'ORDER_EXPIRED', message: outcome.reason });
        return;
      case 'REJECT':
        await updateOrder(c, o, { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: outcome.reason }, { type: 'ORDER_REJECTED', message: outcome.reason });
        return;
    }
  }
}
