import { isExitRole, orderTransition, type EventType, type OrderStatus } from '@utm/contracts';
import { Decimal } from '@utm/db';
import {
  planExitLegs,
  priceText,
  resizeLegsForEntryFill,
  type EntryFill,
  type ExitLegDraft,
  type ExitLegsRouting,
  type LegAmendment,
} from './exit-legs';
import { onLegFill } from './leg-fills';
import { asLeg, type ExecOrder } from './order';
import { applyFillToPosition, averageFill, cashAfterFill, type PositionState } from './positions';

/**
 * One execution of an order and everything it implies, pure: the order's filled quantity,
 * average price and status, the position, cash, the events, and what happens to the exit legs
 * — created on an entry's first fill, resized on its further fills, and on a leg's fill
 * one-cancels-other, the others resized to what is left, the entry's unfilled rest cancelled,
 * an excess flagged. Every venue records a fill by persisting what this returns: the paper
 * engine in its batch (venues/paper/batch.ts, one statement), an external broker's report in its
 * transaction (use-cases/record-fill.ts). How a leg change is carried out is the venue's: on paper a
 * leg rests at once and a cancel is immediate; at a broker a leg waits NEW, a cancel is asked
 * for, a resize may be a replacement order (domain/leg-resize.ts).
 */
export interface Execution {
  /** The venue's execution id: an execution already recorded is not recorded again. */
  id: string;
  quantity: Decimal;
  price: Decimal;
  at: Date;
}

export interface FillInput {
  /** The order as it stands before this execution. */
  order: ExecOrder;
  /** The account's position in the order's symbol before it (null: none). */
  position: PositionState | null;
  cash: Decimal;
  fill: Execution;
  /**
   * The exit-leg family the fill concerns. An ENTRY: its legs, every version, oldest first ([]
   * before its first fill). An exit leg: its entry and the entry's legs (this one included).
   * Other orders: none.
   */
  entry: ExecOrder | null;
  legs: readonly ExecOrder[];
  /**
   * How the venue holds the entry's exits: the instrument's tick and stop type there, and where
   * each rule goes (a rule it cannot hold is refused; a native OCO pairs the stop loss with the
   * take profit). Null: the paper engine, which holds every rule, at the processor's tick.
   */
  exits: ExitTerms | null;
  /** Ids for the legs created (random in production, fixed in tests). */
  newId: () => string;
}

export interface ExitTerms {
  terms: Pick<EntryFill, 'tickSize' | 'stopType'>;
  routing: ExitLegsRouting;
}

/** The entry's fill as its exits are priced from it, with the venue's terms. */
export function entryFillOf(entry: ExecOrder, terms: ExitTerms['terms'] = {}): EntryFill | null {
  if (!entry.avgFillPrice) return null;
  return {
    entrySide: entry.side,
    filledQuantity: entry.filledQuantity,
    avgFillPrice: entry.avgFillPrice,
    exitRules: entry.exitRules,
    ...terms,
  };
}

export interface FillEvent {
  orderId: string;
  type: EventType;
  message: string;
}

export interface NewLeg {
  id: string;
  draft: ExitLegDraft;
  /** A native OCO's stop loss travels with its take profit (this id). */
  carriedBy: string | null;
  /** Its EXIT_LEG_CREATED event. */
  message: string;
}

export interface LegChanges {
  create: NewLeg[];
  /** Legs that take a new size or price, and why; how is the venue's (resizeMethod). */
  resize: { amendments: LegAmendment[]; why: string; filledLegId: string | null };
  /** Open orders to cancel, in order: legs one-cancels-other, then the entry's unfilled rest. */
  cancel: { id: string; why: string }[];
}

export interface FillResult {
  /** The order after the execution (its average exact: legs are priced from it; stored to 10 places). */
  order: ExecOrder;
  /** The position after it, its average to 10 places as stored (quantity 0: flat, no row). */
  position: PositionState;
  cash: Decimal;
  /** Signed: paid for a buy, received for a sell; to 10 places as stored. */
  cashDelta: Decimal;
  /** The fill row. */
  record: { orderId: string; brokerFillId: string; quantity: Decimal; price: Decimal; at: Date };
  /** In order: the order's own (ORDER_FILLED / ORDER_PARTIALLY_FILLED), then notes on its legs. */
  events: FillEvent[];
  legs: LegChanges;
}

const PLACES = 10;
/** "TAKE_PROFIT" → "take profit". */
const words = (role: string) => role.toLowerCase().replace(/_/g, ' ');
const noLegChanges = (): LegChanges => ({
  create: [],
  resize: { amendments: [], why: '', filledLegId: null },
  cancel: [],
});
/** An entry whose unfilled rest is still to cancel when its position is closed by an exit. */
const REMAINDER_CANCELLABLE: readonly OrderStatus[] = ['NEW', 'ACCEPTED', 'PARTIALLY_FILLED'];

export function applyFill(input: FillInput): FillResult {
  const { order: o, fill } = input;
  const filled = o.filledQuantity.plus(fill.quantity);
  const status = orderTransition(o.status, filled.gte(o.quantity) ? 'FILLED' : 'PARTIALLY_FILLED', o.id);
  const order: ExecOrder = {
    ...o,
    filledQuantity: filled,
    avgFillPrice: averageFill(o.filledQuantity, o.avgFillPrice, fill.quantity, fill.price),
    status,
  };
  const after = applyFillToPosition(input.position, o.side, fill.quantity, fill.price);
  const cashDelta = cashAfterFill(new Decimal(0), o.side, fill.quantity, fill.price).toDecimalPlaces(PLACES);
  const events: FillEvent[] = [
    {
      orderId: o.id,
      type: status === 'FILLED' ? 'ORDER_FILLED' : 'ORDER_PARTIALLY_FILLED',
      message: `${o.role} ${o.side} ${fill.quantity.toFixed()} ${o.symbol} @ ${fill.price.toFixed()} (${filled.toFixed()} of ${o.quantity.toFixed()} filled)`,
    },
  ];
  const legs =
    o.role === 'ENTRY'
      ? entryFilled(order, input, events)
      : isExitRole(o.role) && input.entry
        ? legFilled(order, input.entry, input.legs, events)
        : noLegChanges();
  return {
    order,
    position: { quantity: after.quantity, avgPrice: after.avgPrice.toDecimalPlaces(PLACES) },
    cash: input.cash.plus(cashDelta),
    cashDelta,
    record: { orderId: o.id, brokerFillId: fill.id, quantity: fill.quantity, price: fill.price, at: fill.at },
    events,
    legs,
  };
}

function entryFilled(entry: ExecOrder, input: FillInput, events: FillEvent[]): LegChanges {
  const changes = noLegChanges();
  const fill = entryFillOf(entry, input.exits?.terms);
  if (!fill || !entry.exitRules || entry.filledQuantity.lte(0)) return changes;
  const routing = input.exits?.routing ?? null;
  /** The drafts the venue can hold; the others are refused with an event saying why. */
  const placeable = (drafts: ExitLegDraft[]) =>
    drafts.filter((d) => {
      const leg = routing?.legs.find((l) => l.role === d.role);
      if (leg?.via !== 'UNSUPPORTED') return true;
      events.push({ orderId: entry.id, type: 'EXIT_RULE_REFUSED', message: `${d.role} not placed: ${leg.reason}` });
      return false;
    });
  const newLeg = (d: ExitLegDraft, id: string, carriedBy: string | null = null): NewLeg => ({
    id,
    draft: d,
    carriedBy,
    message: `${d.role} ${d.side} ${d.quantity.toFixed()} ${entry.symbol} ${priceText(d)} GTC${carriedBy ? `, one-cancels-other at the broker with ${carriedBy}` : ''}`,
  });
  if (!input.legs.length) {
    const plan = planExitLegs(fill);
    if (!plan.ok) events.push({ orderId: entry.id, type: 'EXIT_RULE_REFUSED', message: plan.message });
    const drafts = placeable(plan.legs);
    const target = drafts.find((d) => d.role === 'TAKE_PROFIT');
    const native =
      target !== undefined && drafts.some((d) => d.role === 'STOP_LOSS') && (routing?.ocoAfterFill ?? false);
    const made = drafts.map((d) => ({ d, id: input.newId() }));
    const targetId = made.find((m) => m.d === target)?.id ?? null;
    for (const { d, id } of made)
      changes.create.push(newLeg(d, id, native && d.role === 'STOP_LOSS' ? targetId : null));
    return changes;
  }
  const resize = resizeLegsForEntryFill(input.legs.map(asLeg), fill);
  if (resize.message) events.push({ orderId: entry.id, type: 'NOTE', message: resize.message });
  changes.resize = {
    amendments: resize.amend,
    why: `entry filled ${entry.filledQuantity.toFixed()}`,
    filledLegId: null,
  };
  for (const d of placeable(resize.create)) changes.create.push(newLeg(d, input.newId()));
  return changes;
}

function legFilled(leg: ExecOrder, entry: ExecOrder, legs: readonly ExecOrder[], events: FillEvent[]): LegChanges {
  const changes = noLegChanges();
  // The family as it stands after this execution: the leg that filled as it now is.
  const family = legs.some((l) => l.id === leg.id) ? legs.map((l) => (l.id === leg.id ? leg : l)) : [...legs, leg];
  const result = onLegFill(family.map(asLeg), entry.filledQuantity, leg.id, leg.filledQuantity);
  if (result.excess.gt(0))
    events.push({
      orderId: leg.id,
      type: 'EXCESS_CLOSE',
      message: `Exit legs closed ${result.excess.toFixed()} beyond the position: the account now holds the other side; review it`,
    });
  const roleOf = (id: string) => family.find((l) => l.id === id)?.role ?? 'exit';
  for (const id of result.cancel)
    changes.cancel.push({
      id,
      why: `One-cancels-other: the ${words(leg.role)} filled, closing what its entry ${entry.side === 'BUY' ? 'bought' : 'sold'} (${entry.filledQuantity.toFixed()} ${entry.symbol}); this ${words(roleOf(id))} is no longer needed`,
    });
  changes.resize = {
    amendments: result.resize.map((r) => ({ id: r.id, quantity: r.quantity })),
    why: `${leg.role} closed part of the position`,
    filledLegId: leg.id,
  };
  if (result.cancelEntryRemainder && REMAINDER_CANCELLABLE.includes(entry.status))
    changes.cancel.push({
      id: entry.id,
      why: `The ${words(leg.role)} closed what this entry had filled: its unfilled rest is cancelled`,
    });
  return changes;
}
