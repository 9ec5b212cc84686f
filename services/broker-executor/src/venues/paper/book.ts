import type { EventType, SignalStatus } from '@utm/contracts';
import { Decimal } from '@utm/db';
import type { NewLeg } from '../../domain/fill';
import type { Milestone } from '../../domain/milestones';
import type { ExecOrder } from '../../domain/order';
import type { SignalOrderState } from '../../domain/signal-status';
import type { PaperOrder } from './types';

/**
 * The paper broker's view of the accounts it works in one batch, as read under their locks
 * (repositories/paper-batch.ts), and the writes the batch collects (written in one statement).
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
  /** Buying power held by its open ENTRY orders not asked to cancel: reservationOf, by order id. */
  reserved: Map<string, Decimal>;
}

/** A signal whose orders are worked: its status, and its ENTRY/CLOSE orders' states in sequence. */
export interface PaperSignal {
  status: SignalStatus;
  receivedAt: Date;
  orders: Map<string, SignalOrderState>;
}

/** The exit legs of an entry that may fill in the batch (every version, oldest first), with the entry. */
export interface LegFamily {
  entry: ExecOrder;
  legs: ExecOrder[];
}

export interface PaperBook {
  accounts: Map<string, PaperAccount>;
  quotes: Map<string, Decimal>;
  signals: Map<string, PaperSignal>;
  /**
   * By entry id: the families of the entries and legs the batch may fill (an entry that has
   * filled before, an exit leg). An entry's first fill needs none: it has no legs yet.
   */
  families: Map<string, LegFamily>;
}

export interface PaperEvent {
  signalId: string;
  orderId: string | null;
  type: EventType;
  message: string;
}

export interface PaperWrites {
  /** Every existing order changed, as it now stands. */
  orders: Map<string, ExecOrder>;
  fills: { orderId: string; brokerFillId: string; quantity: Decimal; price: Decimal; at: Date }[];
  /** Exit legs created, as they now stand (resting at once: ACCEPTED), in the order created. */
  legs: Map<string, ExecOrder>;
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

export function emptyWrites(): PaperWrites {
  return {
    orders: new Map(),
    fills: [],
    legs: new Map(),
    positions: new Map(),
    cashDelta: new Map(),
    signals: new Map(),
    events: [],
    milestones: [],
  };
}

/** Rows created in a batch have no sequence number until they are inserted: after every row read. */
const UNSEQUENCED = BigInt(Number.MAX_SAFE_INTEGER);

/** An exit leg of `entry` as the paper broker creates it: resting at once (ACCEPTED), in the entry's group. */
export function paperLegRow(entry: ExecOrder, n: NewLeg): ExecOrder {
  const d = n.draft;
  return {
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
    filledQuantity: new Decimal(0),
    avgFillPrice: null,
    priceBasis: null,
    exitRules: null,
    brokerOrderId: `paper-${n.id}`,
    carriedBy: null,
    replaces: null,
    replaceMethod: null,
    cancelRequestedAt: null,
    cancelSentAt: null,
    expiresAt: null,
    triggeredAt: null,
    errorCode: null,
    errorMessage: null,
  };
}
