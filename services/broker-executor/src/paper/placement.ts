import { isOpenOrder, orderTransition, signalTransition, type EventType, type SignalStatus } from '@utm/contracts';
import { randomUUID } from 'node:crypto';
import { Decimal } from '@utm/db';
import { markPrice, reservationOf, type MarkedPosition } from '@utm/trading';
import { planExitLegs, type ExitLegDraft } from '../domain/exit-legs';
import { applyFillToPosition, averageFill, cashAfterFill } from '../domain/positions';
import { signalOutcome, type SignalOrderState } from '../domain/signal-status';
import type { ExecOrder } from '../repositories/orders';
import { measuredRole, type Milestone } from '../worker/milestones';
import { sessionCloseAfter, type MarketClock } from './market-clock';
import { affordable, onArrival, priceToPay, type MatchOutcome, type PaperOrder } from './matching';

/**
 * The paper broker's placements, cancels and fills for a batch of accounts, pure: what the
 * account executor does to the orders it takes (place what is NEW, cancel what was asked to
 * cancel), worked out in memory from the accounts' state as read under their locks, each
 * order seeing the effects of the ones before it, and collected as the writes to make.
 * PaperWrites is then written in one statement (repositories/paper-batch.ts).
 */

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

export interface PaperPosition {
  quantity: Decimal;
  avgPrice: Decimal;
}

/** One account as the paper broker sees it. */
export interface PaperAccount {
  cash: Decimal;
  positions: Map<string, PaperPosition>;
  /** Buying power held by its open ENTRY orders not asked to cancel: remaining × price basis, by order id. */
  reserved: Map<string, Decimal>;
}

/** A signal whose orders are worked: its status, and its ENTRY/CLOSE orders' states in sequence. */
export interface PaperSignal {
  status: SignalStatus;
  receivedAt: Date;
  orders: Map<string, SignalOrderState>;
}

export interface PaperBook {
  accounts: Map<string, PaperAccount>;
  quotes: Map<string, Decimal>;
  signals: Map<string, PaperSignal>;
}

export interface PaperEvent {
  signalId: string;
  orderId: string | null;
  type: EventType;
  message: string;
}

export interface PaperWrites {
  /** Every order changed, as it now stands. */
  orders: Map<string, ExecOrder>;
  fills: { orderId: string; brokerFillId: string; quantity: Decimal; price: Decimal; at: Date }[];
  /** Exit legs created (resting at once: ACCEPTED). */
  legs: { id: string; entry: ExecOrder; draft: ExitLegDraft }[];
  /** Per account and symbol touched, the position as it now stands (quantity 0: none). */
  positions: Map<string, { accountId: string; symbol: string } & PaperPosition>;
  cashDelta: Map<string, Decimal>;
  /** Per signal whose status changed, the status it now has. */
  signals: Map<string, { status: SignalStatus; errorCode: string | null; errorMessage: string | null }>;
  /** In the order they happened. */
  events: PaperEvent[];
  /** Reached once the writes commit. */
  milestones: Milestone[];
}

type Change = Partial<
  Pick<
    ExecOrder,
    | 'status'
    | 'quantity'
    | 'brokerOrderId'
    | 'expiresAt'
    | 'triggeredAt'
    | 'stopPrice'
    | 'trailReference'
    | 'errorCode'
    | 'errorMessage'
    | 'filledQuantity'
    | 'avgFillPrice'
  >
>;

const zero = new Decimal(0);

export class PaperBatch {
  readonly writes: PaperWrites = {
    orders: new Map(),
    fills: [],
    legs: [],
    positions: new Map(),
    cashDelta: new Map(),
    signals: new Map(),
    events: [],
    milestones: [],
  };

  constructor(
    private readonly book: PaperBook,
    private readonly clock: MarketClock,
    private readonly now: Date,
  ) {}

  /** The order as it now stands in this batch. */
  current(order: ExecOrder): ExecOrder {
    return this.writes.orders.get(order.id) ?? order;
  }

  /** What the account executor does with an actionable order of a paper account. */
  act(order: ExecOrder): void {
    const o = this.current(order);
    if (o.cancelRequestedAt && o.status === 'NEW') return this.cancelUnsent(o);
    if (o.cancelRequestedAt && o.status !== 'SUBMITTING') return this.cancelResting(o);
    // NEW, or SUBMITTING: the paper broker records acceptance with placement, so placing resolves.
    return this.place(o);
  }

  private account(o: ExecOrder): PaperAccount {
    const a = this.book.accounts.get(o.accountId);
    if (!a) throw new Error(`account ${o.accountId} of order ${o.id} is not in the batch`);
    return a;
  }

  private change(o: ExecOrder, change: Change, event: { type: EventType; message: string } | null): ExecOrder {
    const next = { ...o, ...change, status: orderTransition(o.status, change.status ?? o.status, o.id) };
    this.writes.orders.set(o.id, next);
    if (event) this.writes.events.push({ signalId: o.signalId, orderId: o.id, ...event });
    const reserved = this.account(o).reserved;
    if (next.role === 'ENTRY' && isOpenOrder(next.status) && !next.cancelRequestedAt)
      reserved.set(o.id, reservationOf(next.quantity.minus(next.filledQuantity), next.priceBasis));
    else reserved.delete(o.id);
    return next;
  }

  private place(input: ExecOrder): void {
    let o = input;
    if (o.status !== 'NEW' && o.status !== 'SUBMITTING') return;
    const account = this.account(o);
    if (o.role !== 'ENTRY' && o.role !== 'CLOSE') {
      // Exit legs of paper positions are created resting (ACCEPTED) by the paper broker itself.
      const why = `an exit leg reached the paper broker unplaced (${o.status}); exit legs are created resting when their entry fills`;
      this.settle(
        this.change(
          o,
          { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: why },
          { type: 'ORDER_REJECTED', message: `Paper broker refused the order: ${why}` },
        ),
      );
      return;
    }
    const position = account.positions.get(o.symbol) ?? null;
    if (o.role === 'CLOSE') {
      const held = position?.quantity ?? zero;
      const closable = o.side === 'SELL' ? Decimal.max(held, 0) : Decimal.max(held.neg(), 0);
      if (closable.isZero()) {
        const why = `Nothing to close: no ${o.side === 'SELL' ? 'long' : 'short'} position in ${o.symbol} when the close was placed`;
        return this.settle(
          this.change(
            o,
            { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'nothing left to close' },
            { type: 'ORDER_CANCELLED', message: why },
          ),
        );
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
      if (!check.ok) {
        return this.settle(
          this.change(
            o,
            { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: check.reason },
            { type: 'ORDER_REJECTED', message: `Paper broker refused the order: ${check.reason}` },
          ),
        );
      }
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
      this.change(
        o,
        { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'cancelled before it was placed' },
        { type: 'ORDER_CANCELLED', message: 'Cancelled before it was placed (a close or reverse asked for it)' },
      ),
    );
  }

  private cancelResting(o: ExecOrder): void {
    if (o.status !== 'ACCEPTED' && o.status !== 'PARTIALLY_FILLED') return;
    this.settle(
      this.change(
        o,
        { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'cancelled on request' },
        { type: 'ORDER_CANCELLED', message: 'Cancelled at the paper broker (a close or reverse asked for it)' },
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
        return this.fill(o, outcome.quantity, outcome.price);
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
        return this.change(
          o,
          { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: outcome.reason },
          { type: 'ORDER_CANCELLED', message: outcome.reason },
        );
      case 'EXPIRE':
        return this.change(
          o,
          { status: 'EXPIRED', errorCode: 'ORDER_EXPIRED', errorMessage: outcome.reason },
          { type: 'ORDER_EXPIRED', message: outcome.reason },
        );
      case 'REJECT':
        return this.change(
          o,
          { status: 'REJECTED', errorCode: 'BROKER_ERROR', errorMessage: outcome.reason },
          { type: 'ORDER_REJECTED', message: outcome.reason },
        );
    }
  }

  /** One execution: the order, the position, cash, then the entry's exit legs. */
  private fill(o: ExecOrder, quantity: Decimal, price: Decimal): ExecOrder {
    const account = this.account(o);
    const filled = o.filledQuantity.plus(quantity);
    const avg = averageFill(o.filledQuantity, o.avgFillPrice, quantity, price);
    const status = filled.gte(o.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
    const after = applyFillToPosition(account.positions.get(o.symbol) ?? null, o.side, quantity, price);
    const delta = cashAfterFill(zero, o.side, quantity, price).toDecimalPlaces(10);
    this.writes.fills.push({
      orderId: o.id,
      brokerFillId: `paper:${o.id}:${filled.toFixed()}`,
      quantity,
      price,
      at: this.now,
    });
    const position = { quantity: after.quantity, avgPrice: after.avgPrice.toDecimalPlaces(10) };
    if (position.quantity.isZero()) account.positions.delete(o.symbol);
    else account.positions.set(o.symbol, position);
    this.writes.positions.set(`${o.accountId}\u0000${o.symbol}`, {
      accountId: o.accountId,
      symbol: o.symbol,
      ...position,
    });
    account.cash = account.cash.plus(delta);
    this.writes.cashDelta.set(o.accountId, (this.writes.cashDelta.get(o.accountId) ?? zero).plus(delta));
    // Exact in memory (the legs are priced from it); stored to 10 places, as recordFill does.
    const done = this.change(
      o,
      { filledQuantity: filled, avgFillPrice: avg, status },
      {
        type: status === 'FILLED' ? 'ORDER_FILLED' : 'ORDER_PARTIALLY_FILLED',
        message: `${o.role} ${o.side} ${quantity.toFixed()} ${o.symbol} @ ${price.toFixed()} (${filled.toFixed()} of ${o.quantity.toFixed()} filled)`,
      },
    );
    if (o.role === 'ENTRY' && o.exitRules) this.createLegs(done);
    return done;
  }

  /** The entry's first fill on paper: its exit legs, resting at once, sized and priced from the fill. */
  private createLegs(entry: ExecOrder): void {
    if (!entry.avgFillPrice || entry.filledQuantity.lte(0)) return;
    const plan = planExitLegs({
      entrySide: entry.side,
      filledQuantity: entry.filledQuantity,
      avgFillPrice: entry.avgFillPrice,
      exitRules: entry.exitRules,
    });
    if (!plan.ok)
      this.writes.events.push({
        signalId: entry.signalId,
        orderId: entry.id,
        type: 'EXIT_RULE_REFUSED',
        message: plan.message,
      });
    for (const d of plan.legs) {
      const id = randomUUID();
      this.writes.legs.push({ id, entry, draft: d });
      const price =
        d.type === 'LIMIT'
          ? `limit ${d.limitPrice?.toFixed()}`
          : d.type === 'STOP'
            ? `stop ${d.stopPrice?.toFixed()}`
            : `trailing ${d.trailPercent ? `${d.trailPercent.toFixed()}%` : d.trailAmount?.toFixed()}, stop ${d.stopPrice?.toFixed()}`;
      this.writes.events.push({
        signalId: entry.signalId,
        orderId: id,
        type: 'EXIT_LEG_CREATED',
        message: `${d.role} ${d.side} ${d.quantity.toFixed()} ${entry.symbol} ${price} GTC`,
      });
    }
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
