import { isWorkingOrder } from '@utm/contracts';
import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import { markPrice, type MarkedPosition } from '@utm/trading';
import { measuredRole } from '../../domain/milestones';
import type { ExecOrder } from '../../domain/order';
import { paperOrderOf, type PaperAccount, type PaperBook, type PaperWrites } from './book';
import { PaperLedger, type Change } from './ledger';
import { sessionCloseAfter, type MarketClock } from './market-clock';
import { affordable, expireIfDue, onArrival, onQuote, priceToPay, type MatchOutcome } from './matching';

/**
 * The paper broker at work on a batch of accounts, pure: what it does with the orders the
 * account executor hands it (place what is NEW, cancel what was asked to cancel: act) and with
 * its resting orders when a quote moves or the session closes (reevaluate), worked out in
 * memory from the accounts' state as read under their locks, each order seeing the effects of
 * the ones before it, and collected as the writes to make. A fill is applyFill's (domain/fill.ts),
 * carried out the paper way: its exit legs rest at once, are resized in place, are cancelled at
 * once. PaperWrites is then written in one statement (repositories/paper-batch.ts): the one write
 * path of every paper fill.
 */

const zero = new Decimal(0);

export class PaperBatch {
  private readonly ledger: PaperLedger;

  constructor(
    private readonly book: PaperBook,
    private readonly clock: MarketClock,
    private readonly now: Date,
    newId: () => string = randomUUID,
  ) {
    this.ledger = new PaperLedger(book, newId);
  }

  get writes(): PaperWrites {
    return this.ledger.writes;
  }

  /** The order as it now stands in this batch. */
  current(order: ExecOrder): ExecOrder {
    return this.ledger.current(order);
  }

  /** What the account executor does with an actionable order of a paper account. */
  act(order: ExecOrder): void {
    const o = this.current(order);
    if (o.cancelRequestedAt && o.status === 'NEW') return this.cancelUnsent(o);
    if (o.cancelRequestedAt && o.status !== 'SUBMITTING') return this.cancelResting(o);
    // NEW, or SUBMITTING: the paper broker records acceptance with placement, so placing resolves.
    return this.place(o);
  }

  /**
   * A resting order against the latest quote of its symbol, or at its session close (the quote
   * engine calls this in time priority). Orders asked to cancel do not trade any more.
   */
  reevaluate(order: ExecOrder): void {
    const o = this.current(order);
    if (!isWorkingOrder(o.status) || o.cancelRequestedAt) return;
    const quote = this.book.quotes.get(o.symbol);
    const outcome = quote ? onQuote(paperOrderOf(o), quote, this.now) : expireIfDue(o, this.now);
    if (!outcome || (outcome.kind === 'REST' && !Object.keys(outcome.changes).length)) return;
    this.ledger.settle(this.apply(o, outcome));
  }

  private place(input: ExecOrder): void {
    let o = input;
    if (o.status !== 'NEW' && o.status !== 'SUBMITTING') return;
    const account = this.ledger.account(o);
    if (o.role !== 'ENTRY' && o.role !== 'CLOSE') {
      // Exit legs of paper positions are created resting (ACCEPTED) by the paper broker itself.
      const why = `an exit leg reached the paper broker unplaced (${o.status}); exit legs are created resting when their entry fills`;
      return this.ledger.settle(this.ledger.end(o, 'REJECTED', why, `Paper broker refused the order: ${why}`));
    }
    const position = account.positions.get(o.symbol) ?? null;
    if (o.role === 'CLOSE') {
      const held = position?.quantity ?? zero;
      const closable = o.side === 'SELL' ? Decimal.max(held, 0) : Decimal.max(held.neg(), 0);
      if (closable.isZero()) {
        const why = `Nothing to close: no ${o.side === 'SELL' ? 'long' : 'short'} position in ${o.symbol} when the close was placed`;
        return this.ledger.settle(this.ledger.end(o, 'CANCELLED', 'nothing left to close', why));
      }
      if (closable.lt(o.quantity))
        o = this.ledger.change(
          o,
          { quantity: closable },
          {
            type: 'NOTE',
            message: `Close capped at the position held: ${closable.toFixed()} of ${o.quantity.toFixed()}`,
          },
        );
    }
    const quote = this.book.quotes.get(o.symbol) ?? null;
    const price = priceToPay(paperOrderOf(o), quote) ?? o.priceBasis;
    if (price) {
      const check = affordable({
        side: o.side,
        quantity: o.quantity.minus(o.filledQuantity),
        price,
        position: position?.quantity ?? zero,
        cash: account.cash,
        reservations: [...account.reserved].reduce((sum, [id, r]) => (id === o.id ? sum : sum.plus(r)), zero),
        positions: this.marked(account),
      });
      if (!check.ok)
        return this.ledger.settle(
          this.ledger.end(o, 'REJECTED', check.reason, `Paper broker refused the order: ${check.reason}`),
        );
    }
    const expiresAt = o.timeInForce === 'DAY' ? sessionCloseAfter(this.now, this.clock) : null;
    const accepted = this.ledger.change(
      o,
      { status: 'ACCEPTED', brokerOrderId: `paper-${o.id}`, expiresAt },
      {
        type: 'ORDER_ACCEPTED',
        message: `Paper broker accepted the order${expiresAt ? `; a DAY order, it expires at ${expiresAt.toISOString()}` : ''}`,
      },
    );
    if (measuredRole(o.role))
      this.writes.milestones.push({
        kind: 'accepted',
        broker: 'paper',
        role: o.role,
        receivedAt: this.ledger.signal(o).receivedAt,
      });
    this.ledger.settle(this.apply(accepted, onArrival(paperOrderOf(accepted), quote, this.now)));
  }

  /** Never sent anywhere: cancelled here (a close or reverse asked for it). */
  private cancelUnsent(o: ExecOrder): void {
    this.ledger.settle(
      this.ledger.end(
        o,
        'CANCELLED',
        'cancelled before it was placed',
        'Cancelled before it was placed (a close or reverse asked for it)',
      ),
    );
  }

  private cancelResting(o: ExecOrder): void {
    if (!isWorkingOrder(o.status)) return;
    this.ledger.settle(
      this.ledger.end(
        o,
        'CANCELLED',
        'cancelled on request',
        'Cancelled at the paper broker (a close or reverse asked for it)',
      ),
    );
  }

  /** The account's positions at their marks. */
  private marked(account: PaperAccount): MarkedPosition[] {
    return [...account.positions].map(([symbol, p]) => ({
      quantity: p.quantity,
      mark: markPrice(this.book.quotes.get(symbol), p.avgPrice),
    }));
  }

  /** Records what the matching rules decided; returns the order as it now stands. */
  private apply(o: ExecOrder, outcome: MatchOutcome): ExecOrder {
    switch (outcome.kind) {
      case 'FILL':
        return this.ledger.fill(o, {
          id: `paper:${o.id}:${o.filledQuantity.plus(outcome.quantity).toFixed()}`,
          quantity: outcome.quantity,
          price: outcome.price,
          at: this.now,
        });
      case 'REST': {
        const ch = outcome.changes;
        if (!Object.keys(ch).length) return o;
        const change: Change = {
          ...(ch.triggered ? { triggeredAt: this.now } : {}),
          ...(ch.stopPrice ? { stopPrice: ch.stopPrice } : {}),
          ...(ch.trailReference ? { trailReference: ch.trailReference } : {}),
        };
        return this.ledger.change(
          o,
          change,
          ch.triggered ? { type: 'ORDER_TRIGGERED', message: outcome.reason } : null,
        );
      }
      case 'CANCEL':
        return this.ledger.end(o, 'CANCELLED', outcome.reason);
      case 'EXPIRE':
        return this.ledger.end(o, 'EXPIRED', outcome.reason);
      case 'REJECT':
        return this.ledger.end(o, 'REJECTED', outcome.reason);
    }
  }
}
