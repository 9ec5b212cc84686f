import type { ExecOrder } from '../repositories/orders';

/**
 * Where an account's orders go: the paper engine (orders live in our database) or an
 * external broker. The account executor calls these one at a time, in sequence.
 */
export interface Venue {
  /**
   * Whether the account's orders are worked by one executor at a time (an advisory lock).
   * Required where a placement spans several transactions around a broker call.
   */
  readonly serialise: boolean;
  /**
   * The venue refuses an order opposite one of the account's working orders in the symbol
   * (Alpaca: "potential wash trade"): exit legs wait while an entry on the other side works.
   */
  readonly oppositeOrdersRefused?: boolean;
  /** Places a NEW order and records the outcome (accepted, filled, refused, …). */
  place(order: ExecOrder): Promise<void>;
  /** An order left SUBMITTING (a crash or timeout between sending and recording). */
  resolve(order: ExecOrder): Promise<void>;
  /** Cancels a working order asked to be cancelled (by a close or reverse, or OCO). */
  cancel(order: ExecOrder): Promise<void>;
}
