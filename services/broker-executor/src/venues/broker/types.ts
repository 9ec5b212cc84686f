import { AppError, type ErrorCode } from '@utm/contracts';
import type { Decimal, InstrumentRules } from '@utm/db';

/**
 * What the executor asks of a broker, whichever it is (the paper engine, Alpaca, …). Our
 * order id is the broker's client order id: placing is idempotent by it, and a retry first
 * asks the broker whether it already has it (findByClientOrderId).
 */
export type BrokerSide = 'BUY' | 'SELL';
export type BrokerOrderType = 'MARKET' | 'LIMIT' | 'STOP' | 'STOP_LIMIT' | 'TRAILING_STOP';
export type BrokerTimeInForce = 'DAY' | 'GTC' | 'IOC' | 'FOK';

/** Our order statuses (docs/contract.md, "Lifecycles"), which every broker's states map to. */
export type BrokerOrderStatus = 'ACCEPTED' | 'PARTIALLY_FILLED' | 'FILLED' | 'CANCELLED' | 'REJECTED' | 'EXPIRED';

export interface BrokerOrderRequest {
  /** Our order id. */
  clientOrderId: string;
  symbol: string;
  side: BrokerSide;
  type: BrokerOrderType;
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  /** TRAILING_STOP: one of the two. */
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  timeInForce: BrokerTimeInForce;
  /**
   * Native exits placed with the entry (a bracket): the broker creates the legs and makes them
   * one-cancels-other. Only when capabilities.nativeBracket.
   */
  bracket?: { takeProfitLimitPrice: Decimal; stopLossStopPrice: Decimal };
  /**
   * This order is itself an exit pair (take-profit limit + stop-loss stop, one-cancels-other),
   * for the quantity held. Only when capabilities.nativeOco; `type` is then LIMIT.
   */
  oco?: { takeProfitLimitPrice: Decimal; stopLossStopPrice: Decimal };
  /**
   * One-triggers-other: the entry with ONE exit (a take profit or a stop loss) that the broker
   * starts working when the entry fills. Only when capabilities.nativeBracket (same family).
   */
  oto?: { takeProfitLimitPrice: Decimal } | { stopLossStopPrice: Decimal };
  /** What the venue says of the instrument (null: not known): the last check before sending. */
  instrument?: InstrumentRules | null;
  /** An entry that sells: it opens or adds to a short (the venue's short rules apply). */
  opensShort?: boolean;
}

export interface BrokerFill {
  /** The broker's execution id: a replayed update is recorded once. */
  id: string;
  quantity: Decimal;
  price: Decimal;
  at: Date;
}

export interface BrokerOrder {
  brokerOrderId: string;
  clientOrderId: string;
  status: BrokerOrderStatus;
  filledQuantity: Decimal;
  avgFillPrice: Decimal | null;
  /** The legs of a bracket or OCO order, as orders of their own. */
  legs: BrokerOrder[];
  /** Why the broker refused or cancelled it, in its own words. */
  reason: string | null;
  /** The broker's id of the order that replaced this one (a replace request, a corporate action). */
  replacedBy?: string | null;
  /** A cancel is under way at the broker and not final yet (Alpaca: pending_cancel). */
  pendingCancel?: boolean;
}

/**
 * A working order replaced by a new one (Alpaca: PATCH /v2/orders/{id}): the new order gets
 * `clientOrderId` (one of our order rows); null fields stay as they are.
 */
export interface BrokerReplaceRequest {
  clientOrderId: string;
  quantity: Decimal | null;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
}

/** What a broker's replace request can change (absent: it has none; resizing is cancel, then place). */
export interface ReplaceCapabilities {
  /** Quantities it replaces: whole units only, or any. */
  quantity: 'whole' | 'any';
  /** Whether the quantity of a leg of a native OCO or bracket can be replaced. */
  advancedLegQuantity: boolean;
  /** A native OCO's take profit filling in part leaves its stop loss at what the take profit has left. */
  ocoStopFollowsTarget: boolean;
}

/** How a venue holds one instrument's exits (its tick, what a stop loss is sent as, what groups). */
export interface ExitTerms {
  tick: (price: Decimal) => Decimal;
  stopType: 'STOP' | 'STOP_LIMIT';
  oco: boolean;
  trailing: boolean;
}

export interface BrokerCapabilities {
  orderTypes: BrokerOrderType[];
  nativeBracket: boolean;
  nativeOco: boolean;
  nativeTrailingStop: boolean;
  fractional: boolean;
  replace?: ReplaceCapabilities;
  /** An order opposite one of the account's working orders in the symbol is refused (a potential wash trade). */
  oppositeOrdersRefused?: boolean;
  /**
   * A working closing order holds its shares: a second one for the same shares is refused (Alpaca),
   * so a position's exits are one order or one native group.
   */
  oneClosingOrderPerShare?: boolean;
  /** Per instrument (null: not known), how its exits are held; absent: as the capabilities say. */
  exitTerms?: (symbol: string, instrument: InstrumentRules | null) => ExitTerms;
  /**
   * A spot exchange (ccxt): an order is fitted to the instrument's rules before it is sent (the
   * quantity down to the lot step, lot size, tick and minimum notional checked), and a close
   * sells no more than the account holds there (Broker.sellable).
   */
  spot?: boolean;
}

export interface BrokerAccountSnapshot {
  cash: Decimal;
  /** Signed quantities (negative: short). */
  positions: { symbol: string; quantity: Decimal; avgPrice: Decimal }[];
}

/** An order's change reported by the broker (a stream event or a poll). */
export interface BrokerOrderUpdate {
  order: BrokerOrder;
  /** Set for fills: the execution this update reports. */
  fill: BrokerFill | null;
}

export interface Broker {
  readonly name: string;
  readonly capabilities: BrokerCapabilities;
  place(req: BrokerOrderRequest): Promise<BrokerOrder>;
  /**
   * Replaces the working order with broker id `brokerOrderId` by a new one under
   * `req.clientOrderId`, exactly once (a retry first asks for that client order id). Resolves
   * with the new order; the old one ends when the broker says it was replaced (it may fill
   * first, and then the new one is rejected). Only with capabilities.replace.
   */
  replace?(brokerOrderId: string, req: BrokerReplaceRequest): Promise<BrokerOrder>;
  /** Cancels by our id; resolves when the broker has taken the request (the order may still fill). */
  cancel(clientOrderId: string): Promise<void>;
  /** The broker's view of our order, or null when it has never seen it. */
  findByClientOrderId(clientOrderId: string): Promise<BrokerOrder | null>;
  openOrders(): Promise<BrokerOrder[]>;
  snapshot(): Promise<BrokerAccountSnapshot>;
  /**
   * What the venue says of an instrument (lot and tick size, minimums, shorting, fractions), to
   * keep in instrument_rules under the broker's name; null when the venue has no such instrument.
   */
  instrument?(symbol: string): Promise<Omit<InstrumentRules, 'fetchedAt'> | null>;
  /**
   * Spot venues: how much of the symbol's asset the account holds free to sell; a close that
   * sells is capped at it before it is sent. Absent: the venue keeps positions itself.
   */
  sellable?(symbol: string): Promise<Decimal>;
}

/**
 * A broker call that did not succeed. `code` says what it means for the order and signal:
 * BROKER_UNAVAILABLE is transient (retried); every other code is a refusal, final — the precise
 * one where the broker's answer says why (INSUFFICIENT_QTY, WASH_TRADE, …), BROKER_ERROR when
 * it does not. `uncertain`: the request may have reached the broker (a timeout after sending):
 * before any retry, ask the broker by client order id.
 */
export class BrokerError extends AppError {
  constructor(
    code: ErrorCode,
    message: string,
    readonly opts: {
      retryAfterMs?: number;
      uncertain?: boolean;
      status?: number;
      /** The broker's own words, as it sent them (the message may add ours). */
      alpacaMessage?: string | null;
      cause?: unknown;
    } = {},
  ) {
    super(code, message, { cause: opts.cause });
    this.name = 'BrokerError';
  }

  get retryAfterMs(): number | undefined {
    return this.opts.retryAfterMs;
  }

  get uncertain(): boolean {
    return this.opts.uncertain ?? false;
  }

  /** The broker said no (final), as opposed to could not be reached (BROKER_UNAVAILABLE). */
  get refused(): boolean {
    return this.code !== 'BROKER_UNAVAILABLE';
  }
}
