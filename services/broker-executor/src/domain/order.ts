import type { ExitRules, OrderRole, OrderSide, OrderStatus, OrderType, TimeInForce } from '@utm/contracts';
import type { Decimal } from '@utm/db';
import type { ResizableLeg } from './leg-resize';

/**
 * The order as every part of the executor speaks it — the paper engine, the external venues,
 * the exit legs, the fill function — whatever the venue: an order row with exact decimals.
 * Its statuses, roles and their transitions are @utm/contracts' lifecycles.
 */
export interface ExecOrder {
  id: string;
  /** Acceptance sequence (orders.seq): time priority. */
  seq: bigint;
  signalId: string;
  accountId: string;
  parentOrderId: string | null;
  ocoGroup: string | null;
  role: OrderRole;
  symbol: string;
  side: OrderSide;
  type: OrderType;
  quantity: Decimal;
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  trailPercent: Decimal | null;
  trailAmount: Decimal | null;
  trailReference: Decimal | null;
  timeInForce: TimeInForce;
  status: OrderStatus;
  filledQuantity: Decimal;
  avgFillPrice: Decimal | null;
  priceBasis: Decimal | null;
  exitRules: ExitRules | null;
  brokerOrderId: string | null;
  /** A native OCO's stop loss: placed, resolved and cancelled through this order (its carrier). */
  carriedBy: string | null;
  /** A resized exit leg at a broker: the row it replaces, and how (domain/leg-resize.ts). */
  replaces: string | null;
  replaceMethod: ReplaceMethod | null;
  cancelRequestedAt: Date | null;
  /** The broker took the cancel request; it is not final yet (not sent again). */
  cancelSentAt: Date | null;
  expiresAt: Date | null;
  triggeredAt: Date | null;
  errorCode?: string | null;
  errorMessage?: string | null;
}

export type ReplaceMethod = 'AMEND' | 'CANCEL_FIRST';

/** An exit-leg order as the leg functions see it. */
export const asLeg = (o: ExecOrder): ResizableLeg => ({
  id: o.id,
  role: o.role as ResizableLeg['role'],
  status: o.status,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  limitPrice: o.limitPrice,
  stopPrice: o.stopPrice,
  trailPercent: o.trailPercent,
  trailAmount: o.trailAmount,
  trailReference: o.trailReference,
  replaces: o.replaces,
  type: o.type,
  carriedBy: o.carriedBy,
  cancelRequested: o.cancelRequestedAt !== null,
});
