import { isOpenOrder, type OrderStatus } from '@utm/contracts';
import type { Decimal } from '@utm/db';
import type { BrokerSide } from '../venues/broker/types';

/**
 * The shapes of exit legs, shared by exit-legs.ts (creating and resizing them), leg-fills.ts
 * (one-cancels-other) and leg-routing.ts (where they are placed), apart so that none of them
 * imports another in a cycle.
 */
export type LegRole = 'STOP_LOSS' | 'TAKE_PROFIT' | 'TRAILING_STOP';
export const LEG_ROLES: readonly LegRole[] = ['STOP_LOSS', 'TAKE_PROFIT', 'TRAILING_STOP'];

export interface ExitLegDraft {
  role: LegRole;
  /** Opposite of the entry: a long is protected by SELL orders. */
  side: BrokerSide;
  /** STOP_LIMIT: a stop loss where the venue takes no stop (Alpaca crypto). */
  type: 'STOP' | 'STOP_LIMIT' | 'LIMIT' | 'TRAILING_STOP';
  quantity: Decimal;
  limitPrice: Decimal | null;
  /** STOP_LOSS: the stop. TRAILING_STOP: its initial stop (it moves with trailReference). */
  stopPrice: Decimal | null;
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  /** TRAILING_STOP: the best price since entry, starting at the average fill price. */
  trailReference: Decimal | null;
  /** Exits protect a position for as long as it is held: they must not expire at the close. */
  timeInForce: 'GTC';
}

/** How a leg's price reads in its events: "limit 105", "stop 95", "stop 95 limit 94.9", "trailing 3%, stop 97". */
export function priceText(
  d: { type: string } & Pick<ExitLegDraft, 'limitPrice' | 'stopPrice' | 'trailPercent' | 'trailAmount'>,
): string {
  if (d.type === 'LIMIT') return `limit ${d.limitPrice?.toFixed()}`;
  if (d.type === 'STOP') return `stop ${d.stopPrice?.toFixed()}`;
  if (d.type === 'STOP_LIMIT') return `stop ${d.stopPrice?.toFixed()} limit ${d.limitPrice?.toFixed()}`;
  return `trailing ${d.trailPercent ? `${d.trailPercent.toFixed()}%` : d.trailAmount?.toFixed()}, stop ${d.stopPrice?.toFixed()}`;
}

/** An exit leg as stored (an order row with a leg role). */
export interface ExitLeg {
  id: string;
  role: LegRole;
  status: OrderStatus;
  quantity: Decimal;
  filledQuantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  trailReference: Decimal | null;
  /** A resized leg at a broker: the leg it replaces (see supersededIds). */
  replaces?: string | null;
}

export const isOpenLeg = (leg: Pick<ExitLeg, 'status'>): boolean => isOpenOrder(leg.status);

/**
 * Open legs that an open leg replaces (a resize at a broker in progress): the replacement is
 * the leg that counts for sizing; the old one still counts for what it filled, and is cancelled
 * with the others, until the broker says it was replaced.
 */
export function supersededIds(legs: readonly Pick<ExitLeg, 'id' | 'status' | 'replaces'>[]): Set<string> {
  const open = new Set(legs.filter(isOpenLeg).map((l) => l.id));
  return new Set(
    legs.filter((l) => isOpenLeg(l) && l.replaces && open.has(l.replaces)).map((l) => l.replaces as string),
  );
}

/** A close or reverse cancels the position's exit legs: those still working. */
export function openLegIds(legs: readonly ExitLeg[]): string[] {
  return legs.filter(isOpenLeg).map((l) => l.id);
}

/** What changes on a leg; a field is present only when it changes. */
export interface LegAmendment {
  id: string;
  quantity?: Decimal;
  limitPrice?: Decimal;
  stopPrice?: Decimal;
  trailReference?: Decimal;
}

/** What is left of the entry's position: filled by the entry, less what the legs closed. */
export function positionLeft(legs: readonly ExitLeg[], entryFilledQuantity: Decimal): Decimal {
  return legs.reduce((left, l) => left.minus(l.filledQuantity), entryFilledQuantity);
}
