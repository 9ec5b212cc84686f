/**
 * The lifecycles of a signal and of an order, in one place: every status, the named sets of
 * statuses, the roles an order plays, the closed list of event types, and the transition
 * tables that say which status may follow which. Every status write goes through
 * `orderTransition` / `signalTransition`; every SQL filter by status takes its list from the
 * sets here (`sqlList`). Modelled on nautilus_trader's order state table.
 *
 * Signal:  PENDING → PROCESSING → SUBMITTED → PARTIALLY_FILLED → FILLED
 *          terminal also REJECTED (a rule said no), FAILED (the venue refused, retries
 *          exhausted), CANCELLED, EXPIRED. A FAILED signal may be re-driven (→ PENDING).
 * Order:   NEW → SUBMITTING → ACCEPTED → PARTIALLY_FILLED → FILLED
 *          terminal also CANCELLED, REJECTED, EXPIRED.
 */

import type { IngestOrderType, TimeInForceValue } from './ingest-schema';

// ---------------------------------------------------------------- orders

export const ORDER_STATUSES = [
  'NEW',
  'SUBMITTING',
  'ACCEPTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Not yet at the venue: still to send (NEW), or sent and not yet answered (SUBMITTING). */
export const UNPLACED_ORDER_STATUSES = ['NEW', 'SUBMITTING'] as const satisfies readonly OrderStatus[];
/** Working at the venue: accepted there, not ended. */
export const WORKING_ORDER_STATUSES = ['ACCEPTED', 'PARTIALLY_FILLED'] as const satisfies readonly OrderStatus[];
/** Open: not ended (unplaced or working). */
export const OPEN_ORDER_STATUSES = [
  ...UNPLACED_ORDER_STATUSES,
  ...WORKING_ORDER_STATUSES,
] as const satisfies readonly OrderStatus[];
/** Sent to the venue (or maybe: SUBMITTING) and not ended: what reconciliation compares with the venue. */
export const SENT_ORDER_STATUSES = ['SUBMITTING', ...WORKING_ORDER_STATUSES] as const satisfies readonly OrderStatus[];
/** Ended: nothing more happens to the order. */
export const TERMINAL_ORDER_STATUSES = [
  'FILLED',
  'CANCELLED',
  'REJECTED',
  'EXPIRED',
] as const satisfies readonly OrderStatus[];

export type OpenOrderStatus = (typeof OPEN_ORDER_STATUSES)[number];
export type WorkingOrderStatus = (typeof WORKING_ORDER_STATUSES)[number];
export type TerminalOrderStatus = (typeof TERMINAL_ORDER_STATUSES)[number];

const has =
  <T extends string>(set: readonly T[]) =>
  (status: string): status is T =>
    (set as readonly string[]).includes(status);

export const isOpenOrder = has(OPEN_ORDER_STATUSES);
export const isWorkingOrder = has(WORKING_ORDER_STATUSES);
export const isUnplacedOrder = has(UNPLACED_ORDER_STATUSES);
export const isTerminalOrder = has(TERMINAL_ORDER_STATUSES);

/**
 * Which status may follow which. A status written again (an update that changes other
 * fields) is not a transition and always allowed.
 *
 * - NEW → ACCEPTED/FILLED/…: the paper engine accepts (and may fill) in the same step as it
 *   places; an external venue goes through SUBMITTING first.
 * - NEW → CANCELLED: never sent (cancelled before placement); NEW → REJECTED: refused before
 *   sending (credentials unreadable, a rule of the venue checked up front).
 * - SUBMITTING → anything the venue reports when the uncertain placement is looked up
 *   (ACCEPTED, FILLED, …), and → NEW when the venue has never seen it (sent again).
 * - CANCELLED/EXPIRED → PARTIALLY_FILLED/FILLED: the venue reports an execution that happened
 *   before the cancel or expiry took effect (a cancel racing a fill). The venue is the truth
 *   about executions; nothing else reopens an ended order.
 */
export const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  NEW: ['SUBMITTING', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'],
  SUBMITTING: ['NEW', 'ACCEPTED', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'],
  ACCEPTED: ['PARTIALLY_FILLED', 'FILLED', 'CANCELLED', 'REJECTED', 'EXPIRED'],
  PARTIALLY_FILLED: ['FILLED', 'CANCELLED', 'EXPIRED'],
  FILLED: [],
  CANCELLED: ['PARTIALLY_FILLED', 'FILLED'],
  REJECTED: [],
  EXPIRED: ['PARTIALLY_FILLED', 'FILLED'],
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly entity: 'order' | 'signal',
    readonly from: string,
    readonly to: string,
    readonly id?: string,
  ) {
    super(`illegal ${entity} transition ${from} → ${to}${id ? ` (${entity} ${id})` : ''}`);
    this.name = 'IllegalTransitionError';
  }
}

export function canTransitionOrder(from: OrderStatus, to: OrderStatus): boolean {
  return from === to || ORDER_TRANSITIONS[from].includes(to);
}

/** The statuses an order may be in to move to `to` (for an SQL guard on the write). */
export function orderStatusesLeadingTo(to: OrderStatus): OrderStatus[] {
  return ORDER_STATUSES.filter((from) => canTransitionOrder(from, to));
}

/** The status to write, or an IllegalTransitionError: every order status write goes through here. */
export function orderTransition(from: OrderStatus, to: OrderStatus, orderId?: string): OrderStatus {
  if (!canTransitionOrder(from, to)) throw new IllegalTransitionError('order', from, to, orderId);
  return to;
}

// ---------------------------------------------------------------- roles

export const ORDER_ROLES = ['ENTRY', 'CLOSE', 'STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'] as const;
export type OrderRole = (typeof ORDER_ROLES)[number];
/** The orders a signal itself asks for: its status is computed from these. */
export const SIGNAL_ORDER_ROLES = ['ENTRY', 'CLOSE'] as const satisfies readonly OrderRole[];
/** The exits of a position, created when an entry fills. */
export const EXIT_ROLES = ['STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'] as const satisfies readonly OrderRole[];
export type SignalOrderRole = (typeof SIGNAL_ORDER_ROLES)[number];
export type ExitRole = (typeof EXIT_ROLES)[number];
export const isExitRole = has(EXIT_ROLES);
export const isSignalOrderRole = has(SIGNAL_ORDER_ROLES);

export const ORDER_SIDES = ['BUY', 'SELL'] as const;
export type OrderSide = (typeof ORDER_SIDES)[number];
/** What a signal may ask for (ingest-schema's ORDER_TYPES), and the trailing stop of an exit. */
export type OrderType = IngestOrderType | 'TRAILING_STOP';
export type TimeInForce = TimeInForceValue;

// ---------------------------------------------------------------- signals

export const SIGNAL_STATUSES = [
  'PENDING',
  'PROCESSING',
  'SUBMITTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'REJECTED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
] as const;
export type SignalStatus = (typeof SIGNAL_STATUSES)[number];

export const TERMINAL_SIGNAL_STATUSES = [
  'FILLED',
  'REJECTED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
] as const satisfies readonly SignalStatus[];
/** Accepted and not ended: being decided or worked. */
export const ACTIVE_SIGNAL_STATUSES = [
  'PENDING',
  'PROCESSING',
  'SUBMITTED',
  'PARTIALLY_FILLED',
] as const satisfies readonly SignalStatus[];
export type TerminalSignalStatus = (typeof TERMINAL_SIGNAL_STATUSES)[number];
export const isTerminalSignal = has(TERMINAL_SIGNAL_STATUSES);

/**
 * - PENDING → REJECTED: a rule said no; → FAILED: unreadable, or retries exhausted before a
 *   decision; → PROCESSING: decided, its orders created.
 * - PROCESSING/SUBMITTED/PARTIALLY_FILLED → the status its orders give (signalOutcome).
 * - FAILED → PENDING: re-driven by an operator (`utm signal retry`): decided again, as it stands then.
 */
export const SIGNAL_TRANSITIONS: Readonly<Record<SignalStatus, readonly SignalStatus[]>> = {
  PENDING: ['PROCESSING', 'REJECTED', 'FAILED'],
  PROCESSING: ['SUBMITTED', 'PARTIALLY_FILLED', 'FILLED', 'FAILED', 'CANCELLED', 'EXPIRED'],
  SUBMITTED: ['PROCESSING', 'PARTIALLY_FILLED', 'FILLED', 'FAILED', 'CANCELLED', 'EXPIRED'],
  PARTIALLY_FILLED: ['FILLED', 'FAILED', 'CANCELLED', 'EXPIRED'],
  FILLED: [],
  REJECTED: [],
  FAILED: ['PENDING'],
  CANCELLED: [],
  EXPIRED: [],
};

export function canTransitionSignal(from: SignalStatus, to: SignalStatus): boolean {
  return from === to || SIGNAL_TRANSITIONS[from].includes(to);
}

/** The statuses a signal may be in to move to `to` (for an SQL guard on the write). */
export function signalStatusesLeadingTo(to: SignalStatus): SignalStatus[] {
  return SIGNAL_STATUSES.filter((from) => canTransitionSignal(from, to));
}

/** The status to write, or an IllegalTransitionError: every signal status write goes through here. */
export function signalTransition(from: SignalStatus, to: SignalStatus, signalId?: string): SignalStatus {
  if (!canTransitionSignal(from, to)) throw new IllegalTransitionError('signal', from, to, signalId);
  return to;
}

// ---------------------------------------------------------------- accounts

/**
 * An account's trading state: ACTIVE trades; REDUCE_ONLY accepts only what reduces a position
 * (closes); HALTED accepts nothing. Set by an operator (`utm account halt|reduce-only|resume`,
 * or the API).
 */
export const TRADING_STATES = ['ACTIVE', 'REDUCE_ONLY', 'HALTED'] as const;
export type TradingState = (typeof TRADING_STATES)[number];

// ---------------------------------------------------------------- events

/**
 * Every event type recorded on a signal (signal_events.type). Closed: a new kind of event is
 * added here, with a line saying what it records.
 */
export const EVENT_TYPES = {
  // the signal
  RECEIVED: 'accepted by the gateway',
  PROCESSING: 'the processor started deciding it',
  DEFERRED: 'waits for earlier orders of its account to be worked before it is decided',
  SUBMITTED: 'every order of the signal is at the venue',
  PARTIALLY_FILLED: 'part of the signal is filled',
  FILLED: 'the signal is filled',
  REJECTED: 'a rule said no (with its code)',
  FAILED: 'the venue refused, or retries were exhausted (with its code)',
  CANCELLED: 'the signal ended without filling all',
  EXPIRED: 'a DAY order of the signal expired',
  RETRY: 're-driven by an operator',
  NOTE: 'a remark on the decision (a close capped at the position, …)',
  // its orders
  ORDER_CREATED: 'an order was decided',
  CANCEL_REQUESTED: 'an open order was asked to cancel (by a close, a reverse, one-cancels-other)',
  CANCEL_REJECTED: 'the venue did not cancel the order (it still works): the cancel is asked for again',
  SUBMITTING: 'the order is being sent to the venue',
  RESUBMIT: 'the venue never saw an uncertain placement: sent again',
  ORDER_ACCEPTED: 'the venue accepted the order',
  ORDER_TRIGGERED: 'a stop was triggered',
  ORDER_PARTIALLY_FILLED: 'an execution filled part of the order',
  ORDER_FILLED: 'the order is filled',
  ORDER_CANCELLED: 'the order was cancelled',
  ORDER_REJECTED: 'the venue (or the platform, up front) refused the order',
  ORDER_EXPIRED: 'the order expired',
  ORDER_REPLACED: 'the venue replaced the order by another row',
  RECONCILED: "the venue's view was adopted (drift corrected)",
  // exits
  EXIT_LEG_CREATED: 'an exit of the filled entry was created',
  EXIT_RULE_REFUSED: 'an exit rule could not be placed as asked',
  EXIT_LEG_RESIZED: 'an exit took a new size',
  RESIZE_REQUESTED: 'an exit working at a venue is to be resized',
  RESIZE_DEFERRED: "an exit's resize waits for its placement to be answered",
  RESIZE_REFUSED: 'a resize was not needed any more',
  RESIZE_KEPT: 'an exit keeps its size (the venue cannot or would not resize it now)',
  RESIZE_DROPPED: 'a resize was dropped (its leg ended first)',
  EXCESS_CLOSE: 'exits closed more than the position: the account holds the other side',
} as const;
export type EventType = keyof typeof EVENT_TYPES;
export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES) as EventType[];
export const isEventType = (value: string): value is EventType =>
  Object.prototype.hasOwnProperty.call(EVENT_TYPES, value);

const ORDER_STATUS_EVENTS: Readonly<Record<OrderStatus, EventType>> = {
  NEW: 'ORDER_CREATED',
  SUBMITTING: 'SUBMITTING',
  ACCEPTED: 'ORDER_ACCEPTED',
  PARTIALLY_FILLED: 'ORDER_PARTIALLY_FILLED',
  FILLED: 'ORDER_FILLED',
  CANCELLED: 'ORDER_CANCELLED',
  REJECTED: 'ORDER_REJECTED',
  EXPIRED: 'ORDER_EXPIRED',
};

/** The event recording that an order reached `status`. */
export function orderStatusEvent(status: OrderStatus): EventType {
  return ORDER_STATUS_EVENTS[status];
}

/** The event recording that a signal reached `status` (the status is its own event type). */
export function signalStatusEvent(status: Exclude<SignalStatus, 'PENDING'>): EventType {
  return status;
}

// ---------------------------------------------------------------- SQL

/**
 * A status set as an SQL literal list, `'NEW', 'SUBMITTING'`: written into statements (not
 * bound as parameters) so that a generic plan can use the partial indexes built on them.
 */
export function sqlList(values: readonly (OrderStatus | SignalStatus | OrderRole | EventType)[]): string {
  for (const v of values) if (!/^[A-Z_]+$/.test(v)) throw new Error(`not a status literal: ${v}`);
  return values.map((v) => `'${v}'`).join(', ');
}

/** One status, role or event type as an SQL literal, `'PENDING'` (type-checked, unlike a literal in the text). */
export function sqlValue(value: OrderStatus | SignalStatus | OrderRole | EventType): string {
  return sqlList([value]);
}
