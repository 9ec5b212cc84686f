import type { ExecOrder } from '../domain/order';

/**
 * Where an account's orders are carried out: the paper engine (our own book, in Postgres) or an
 * external broker (Alpaca, …). The one interface the executor's order jobs speak to every venue;
 * every venue speaks the order model of domain/order.ts and records fills through
 * domain/fill.ts.
 */
export interface Venue {
  readonly name: string;
  /**
   * Whether jobs of this venue's accounts are worked together (the paper engine: many accounts
   * in one transaction) rather than one account at a time (an external broker, whose round
   * trips must not hold up other accounts).
   */
  readonly together: boolean;
  /**
   * Works the accounts' actionable orders, in sequence within each account — cancels asked for
   * (by a close or reverse, one-cancels-other), orders to place, placements left uncertain —
   * until none is left. Returns the orders handled. Errors propagate: the job is retried.
   */
  work(accountIds: string[]): Promise<number>;
}

/**
 * An external broker's operations on one order (BrokerVenue), which workAccount takes in
 * sequence for an account.
 */
export interface OrderVenue {
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
