import type { Decimal } from '@utm/db';
import type { BrokerOrderType, BrokerSide, BrokerTimeInForce } from '../broker/types';

/**
 * An order as the paper engine sees it: the matching rules need only these fields, which the
 * executor reads from the order row (`remaining` = quantity − filled quantity).
 */
export interface PaperOrder {
  id: string;
  /** Acceptance sequence (orders.seq): time priority among the resting orders of a symbol. */
  seq: bigint;
  side: BrokerSide;
  type: BrokerOrderType;
  remaining: Decimal;
  limitPrice: Decimal | null;
  /**
   * STOP, STOP_LIMIT: the trigger. TRAILING_STOP: the current stop, which moves with the
   * reference (null until it is first computed).
   */
  stopPrice: Decimal | null;
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  /** TRAILING_STOP: the best price since entry (orders.trail_reference); null: the first quote sets it. */
  trailReference: Decimal | null;
  /** STOP_LIMIT whose stop was hit: it now rests as a plain limit order. */
  triggered: boolean;
  timeInForce: BrokerTimeInForce;
  /** DAY orders: the session close (orders.expires_at); null: no expiry. */
  expiresAt: Date | null;
}

/** What a resting order's row must remember after an evaluation; only the fields that changed. */
export interface RestingChanges {
  triggered?: true;
  stopPrice?: Decimal;
  trailReference?: Decimal;
}

/**
 * The result of an evaluation. Paper liquidity is infinite: a fill is always for the whole
 * remaining quantity. `reason` is a sentence for the order's event log (or its error).
 * - FILL: fills now at `price`.
 * - REST: stays on the book; write `changes` (empty: nothing changed).
 * - CANCEL: IOC/FOK not marketable on arrival.
 * - EXPIRE: DAY order at or past its session close.
 * - REJECT: the order cannot be worked (a price its type needs is missing or not positive).
 */
export type MatchOutcome =
  | { kind: 'FILL'; price: Decimal; quantity: Decimal; reason: string }
  | { kind: 'REST'; changes: RestingChanges; reason: string }
  | { kind: 'CANCEL'; reason: string }
  | { kind: 'EXPIRE'; reason: string }
  | { kind: 'REJECT'; reason: string };
