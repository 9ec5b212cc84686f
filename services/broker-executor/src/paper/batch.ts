import { isOpenOrder, isWorkingOrder, orderTransition, signalTransition, type EventType } from '@utm/contracts';
import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import { markPrice, reservationOf, type MarkedPosition } from '@utm/trading';
import { applyFill, type Execution } from '../domain/fill';
import { resizedInPlaceMessage, resizeMethod } from '../domain/leg-resize';
import { measuredRole } from '../domain/milestones';
import { asLeg, type ExecOrder } from '../domain/order';
import { signalOutcome } from '../domain/signal-status';
import { emptyWrites, paperOrderOf, type PaperAccount, type PaperBook, type PaperSignal } from './book';
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

type Change = Partial<
  Pick<
    ExecOrder,
    | 'status'
    | 'quantity'
    | 'brokerOrderId'
    | 'expiresAt'
    | 'triggeredAt'
    | 'limitPrice'
    | 'stopPrice'
    | 'trailReference'
    | 'errorCode'
    | 'errorMessage'
    | 'filledQuantity'
    | 'avgFillPrice'
  >
>;

const zero = new Decimal(0);
/** The paper engine holds its book itself: a leg takes its new size where it is. */
const PAPER = { broker: null, replace: null };
/** Rows created in a batch have no sequence number until they are inserted: after every row read. */
const UNSEQUENCED = BigInt(Number.MAX_SAFE_INTEGER);

export class PaperBatch {
  readonly writes = emptyWrites();

  constructor(
    private readonly book: PaperBook,
    private readonly clock: MarketClock,
    private readonly now: Date,
    private readonly newId: () => string = randomUUID,
  ) {}

  /** The order as it now stands in this batch. */
  current(order: ExecOrder): ExecOrder {
    return this.writes.legs.get(order.id) ?? this.writes.orders.get(order.id) ?? order;
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
    this.settle(this.apply(o, outcome));
  }

  private account(o: ExecOrder): PaperAccount {
    const a = this.book.accounts.get(o.accountId);
    if (!a) throw new Error(`account ${o.accountId} of order ${o.id} is not in the batch`);
    return a;
  }

  private change(o: ExecOrder, change: Change, event: { type: EventType; message: string } | null): ExecOrder {
    const next = { ...o, ...change, status: orderTransition(o.status, change.status ?? o.status, o.id) };
    (this.writes.legs.has(o.id) ? this.writes.legs : this.writes.orders).set(o.id, next);
    const family = this.book.families.get(next.parentOrderId ?? next.id);
    if (family) {
      if (family.entry.id === next.id) family.entry = next;
      else family.legs = family.legs.map((l) => (l.id === next.id ? next : l));
    }
    if (event) this.event(o, event.type, event.message);
    const reserved = this.account(o).reserved;
    if (next.role === 'ENTRY' && isOpenOrder(next.status) && !next.cancelRequestedAt)
      reserved.set(o.id, reservationOf(next.quantity.minus(next.filledQuantity), next.priceBasis));
    else reserved.delete(o.id);
    return next;
  }

  private event(o: Pick<ExecOrder, 'signalId' | 'id'>, type: EventType, message: string): void {
    this.writes.events.push({ signalId: o.signalId, orderId: o.id, type, message });
  }

  private end(o: ExecOrder, status: 'CANCELLED' | 'EXPIRED' | 'REJECTED', why: string, event?: string): ExecOrder {
    const errorCode =
      status === 'CANCELLED' ? 'ORDER_CANCELLED' : status === 'EXPIRED' ? 'ORDER_EXPIRED' : 'BROKER_ERROR';
    const type = status === 'CANCELLED' ? 'ORDER_CANCELLED' : status === 'EXPIRED' ? 'ORDER_EXPIRED' : 'ORDER_REJECTED';
    return this.change(o, { status, errorCode, errorMessage: why }, { type, message: event ?? why });
  }

  private place(input: ExecOrder): void {
    let o = input;
    if (o.status !== 'NEW' && o.status !== 'SUBMITTING') return;
    const account = this.account(o);
    if (o.role !== 'ENTRY' && o.role !== 'CLOSE') {
      // Exit legs of paper positions are created resting (ACCEPTED) by the paper broker itself.
      const why = `an exit leg reached the paper broker unplaced (${o.status}); exit legs are created resting when their entry fills`;
      return this.settle(this.end(o, 'REJECTED', why, `Paper broker refused the order: ${why}`));
    }
    const position = account.positions.get(o.symbol) ?? null;
    if (o.role === 'CLOSE') {
      const held = position?.quantity ?? zero;
      const closable = o.side === 'SELL' ? Decimal.max(held, 0) : Decimal.max(held.neg(), 0);
      if (closable.isZero()) {
        const why = `Nothing to close: no ${o.side === 'SELL' ? 'long' : 'short'} position in ${o.symbol} when the close was placed`;
        return this.settle(this.end(o, 'CANCELLED', 'nothing left to close', why));
      }
      if (closable.lt(o.quantity))
        o = this.change(
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
        return this.settle(this.end(o, 'REJECTED', check.reason, `Paper broker refused the order: ${check.reason}`));
    }
    const expiresAt = o.timeInForce === 'DAY' ? sessionCloseAfter(this.now, this.clock) : null;
    const accepted = this.change(
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
        receivedAt: this.signal(o).receivedAt,
      });
    this.settle(this.apply(accepted, onArrival(paperOrderOf(accepted), quote, this.now)));
  }

  /** Never sent anywhere: cancelled here (a close or reverse asked for it). */
  private cancelUnsent(o: ExecOrder): void {
    this.settle(
      this.end(
        o,
        'CANCELLED',
        'cancelled before it was placed',
        'Cancelled before it was placed (a close or reverse asked for it)',
      ),
    );
  }

  private cancelResting(o: ExecOrder): void {
    if (!isWorkingOrder(o.status)) return;
    this.settle(
      this.end(
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

  private signal(o: ExecOrder): PaperSignal {
    const s = this.book.signals.get(o.signalId);
    if (!s) throw new Error(`signal ${o.signalId} of order ${o.id} is not in the batch`);
    return s;
  }

  /** Records what the matching rules decided; returns the order as it now stands. */
  private apply(o: ExecOrder, outcome: MatchOutcome): ExecOrder {
    switch (outcome.kind) {
      case 'FILL':
        return this.fill(o, {
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
        return this.change(o, change, ch.triggered ? { type: 'ORDER_TRIGGERED', message: outcome.reason } : null);
      }
      case 'CANCEL':
        return this.end(o, 'CANCELLED', outcome.reason);
      case 'EXPIRE':
        return this.end(o, 'EXPIRED', outcome.reason);
      case 'REJECT':
        return this.end(o, 'REJECTED', outcome.reason);
    }
  }

  /** The exit-leg family a fill of `o` concerns (see FillInput). */
  private familyOf(o: ExecOrder): { entry: ExecOrder | null; legs: ExecOrder[] } {
    if (o.role === 'ENTRY' && (o.filledQuantity.isZero() || !o.exitRules)) return { entry: null, legs: [] };
    if (o.role !== 'ENTRY' && !o.parentOrderId) return { entry: null, legs: [] };
    const family = this.book.families.get(o.parentOrderId ?? o.id);
    if (!family) throw new Error(`the exit legs of order ${o.parentOrderId ?? o.id} are not in the batch`);
    return {
      entry: o.role === 'ENTRY' ? null : this.current(family.entry),
      legs: family.legs.map((l) => this.current(l)),
    };
  }

  /** One execution, as applyFill decides it: the order, the position, cash, the events, the exit legs. */
  private fill(o: ExecOrder, execution: Execution): ExecOrder {
    const account = this.account(o);
    const { entry, legs } = this.familyOf(o);
    const r = applyFill({
      order: o,
      position: account.positions.get(o.symbol) ?? null,
      cash: account.cash,
      fill: execution,
      entry,
      legs,
      broker: null,
      newId: this.newId,
    });
    this.writes.fills.push(r.record);
    if (r.position.quantity.isZero()) account.positions.delete(o.symbol);
    else account.positions.set(o.symbol, r.position);
    this.writes.positions.set(`${o.accountId}\u0000${o.symbol}`, {
      accountId: o.accountId,
      symbol: o.symbol,
      ...r.position,
    });
    account.cash = r.cash;
    this.writes.cashDelta.set(o.accountId, (this.writes.cashDelta.get(o.accountId) ?? zero).plus(r.cashDelta));
    const { filledQuantity, avgFillPrice, status } = r.order;
    const done = this.change(o, { filledQuantity, avgFillPrice, status }, null);
    for (const e of r.events) this.event({ signalId: o.signalId, id: e.orderId }, e.type, e.message);
    this.carryOutLegs(done, r.legs);
    return done;
  }

  /** The leg changes of a fill, the paper way: cancels and resizes at once, new legs resting. */
  private carryOutLegs(filled: ExecOrder, changes: ReturnType<typeof applyFill>['legs']): void {
    const family = this.book.families.get(filled.parentOrderId ?? filled.id);
    const find = (id: string) =>
      family && (family.entry.id === id ? family.entry : family.legs.find((l) => l.id === id));
    for (const c of changes.cancel) {
      const o = find(c.id);
      if (o && isOpenOrder(o.status)) this.settle(this.end(this.current(o), 'CANCELLED', c.why));
    }
    const { amendments, why } = changes.resize;
    for (const a of amendments) {
      const leg = find(a.id);
      if (!leg || !family) continue;
      const decision = resizeMethod(family.legs.map(asLeg), asLeg(leg), a, PAPER);
      if (decision.method !== 'IN_PLACE') continue;
      this.change(
        leg,
        {
          ...(a.quantity ? { quantity: a.quantity } : {}),
          ...(a.limitPrice ? { limitPrice: a.limitPrice } : {}),
          ...(a.stopPrice ? { stopPrice: a.stopPrice } : {}),
          ...(a.trailReference ? { trailReference: a.trailReference } : {}),
        },
        { type: 'EXIT_LEG_RESIZED', message: resizedInPlaceMessage(asLeg(leg), a, `${why}; ${decision.reason}`) },
      );
    }
    if (!changes.create.length) return;
    const entry = filled;
    const legs = family ?? { entry, legs: [] };
    for (const n of changes.create) {
      const d = n.draft;
      const leg: ExecOrder = {
        ...entry,
        id: n.id,
        seq: UNSEQUENCED,
        parentOrderId: entry.id,
        ocoGroup: entry.id,
        role: d.role,
        side: d.side,
        type: d.type,
        quantity: d.quantity,
        limitPrice: d.limitPrice,
        stopPrice: d.stopPrice,
        trailPercent: d.trailPercent,
        trailAmount: d.trailAmount,
        trailReference: d.trailReference,
        timeInForce: d.timeInForce,
        status: 'ACCEPTED',
        filledQuantity: zero,
        avgFillPrice: null,
        priceBasis: null,
        exitRules: null,
        brokerOrderId: `paper-${n.id}`,
        carriedBy: null,
        replaces: null,
        replaceMethod: null,
        cancelRequestedAt: null,
        expiresAt: null,
        triggeredAt: null,
        errorCode: null,
        errorMessage: null,
      };
      this.writes.legs.set(leg.id, leg);
      legs.legs.push(leg);
      this.event(leg, 'EXIT_LEG_CREATED', n.message);
    }
    this.book.families.set(entry.id, legs);
  }

  /** The signal's status from its ENTRY/CLOSE orders as they now stand (legs do not count), with its event. */
  private settle(o: ExecOrder): void {
    const signal = this.book.signals.get(o.signalId);
    const before = signal?.orders.get(o.id);
    if (!signal || !before) return;
    if (o.status === 'FILLED' && before.status !== 'FILLED')
      this.writes.milestones.push({ kind: 'filled', broker: 'paper', role: o.role, receivedAt: signal.receivedAt });
    signal.orders.set(o.id, {
      status: o.status,
      filledQuantity: o.filledQuantity,
      errorCode: o.errorCode ?? null,
      errorMessage: o.errorMessage ?? null,
    });
    const outcome = signalOutcome([...signal.orders.values()]);
    if (!outcome || outcome.status === signal.status) return;
    signal.status = signalTransition(signal.status, outcome.status, o.signalId);
    this.writes.signals.set(o.signalId, outcome);
    const why = outcome.errorCode ? `: ${outcome.errorCode}: ${outcome.errorMessage ?? ''}` : '';
    this.writes.events.push({
      signalId: o.signalId,
      orderId: null,
      type: outcome.status,
      message: `Signal ${outcome.status}${why}`,
    });
  }
}
