import { isOpenOrder, orderTransition, signalTransition, type EventType } from '@utm/contracts';
import { Decimal } from '@utm/db';
import { reservationOf } from '@utm/trading';
import { applyFill, type Execution, type LegChanges } from '../../domain/fill';
import { resizedInPlaceMessage, resizeMethod } from '../../domain/leg-resize';
import { asLeg, type ExecOrder } from '../../domain/order';
import { signalOutcome } from '../../domain/signal-status';
import { emptyWrites, paperLegRow, type PaperAccount, type PaperBook, type PaperSignal } from './book';

/** What a change of an order may touch. */
export type Change = Partial<
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

/**
 * What a paper batch records, in memory: every change of an order (through the lifecycle's
 * transition table, keeping the account's reserved buying power and the exit-leg families
 * current), fills as applyFill decides them with their leg changes carried out the paper way
 * (legs rest at once, are resized in place, are cancelled at once), and each signal's status
 * from its orders. The writes it collects are written in one statement (repositories/paper-batch.ts).
 */
export class PaperLedger {
  readonly writes = emptyWrites();

  constructor(
    private readonly book: PaperBook,
    private readonly newId: () => string,
  ) {}

  /** The order as it now stands in this batch. */
  current(order: ExecOrder): ExecOrder {
    return this.writes.legs.get(order.id) ?? this.writes.orders.get(order.id) ?? order;
  }

  account(o: ExecOrder): PaperAccount {
    const a = this.book.accounts.get(o.accountId);
    if (!a) throw new Error(`account ${o.accountId} of order ${o.id} is not in the batch`);
    return a;
  }

  change(o: ExecOrder, change: Change, event: { type: EventType; message: string } | null): ExecOrder {
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

  event(o: Pick<ExecOrder, 'signalId' | 'id'>, type: EventType, message: string): void {
    this.writes.events.push({ signalId: o.signalId, orderId: o.id, type, message });
  }

  end(o: ExecOrder, status: 'CANCELLED' | 'EXPIRED' | 'REJECTED', why: string, event?: string): ExecOrder {
    const errorCode =
      status === 'CANCELLED' ? 'ORDER_CANCELLED' : status === 'EXPIRED' ? 'ORDER_EXPIRED' : 'BROKER_ERROR';
    const type = status === 'CANCELLED' ? 'ORDER_CANCELLED' : status === 'EXPIRED' ? 'ORDER_EXPIRED' : 'ORDER_REJECTED';
    return this.change(o, { status, errorCode, errorMessage: why }, { type, message: event ?? why });
  }

  signal(o: ExecOrder): PaperSignal {
    const s = this.book.signals.get(o.signalId);
    if (!s) throw new Error(`signal ${o.signalId} of order ${o.id} is not in the batch`);
    return s;
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
  fill(o: ExecOrder, execution: Execution): ExecOrder {
    const account = this.account(o);
    const { entry, legs } = this.familyOf(o);
    const r = applyFill({
      order: o,
      position: account.positions.get(o.symbol) ?? null,
      cash: account.cash,
      fill: execution,
      entry,
      legs,
      exits: null,
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
  private carryOutLegs(filled: ExecOrder, changes: LegChanges): void {
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
      const leg = paperLegRow(entry, n);
      this.writes.legs.set(leg.id, leg);
      legs.legs.push(leg);
      this.event(leg, 'EXIT_LEG_CREATED', n.message);
    }
    this.book.families.set(entry.id, legs);
  }

  /** The signal's status from its ENTRY/CLOSE orders as they now stand (legs do not count), with its event. */
  settle(o: ExecOrder): void {
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
