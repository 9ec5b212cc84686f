import {
  dec,
  isExitRole,
  orderView,
  positionView,
  type AccountDetailView,
  type AccountSummaryView,
  type ModeValue,
  type OrderRole,
  type OrderRow,
  type OrderSide,
  type OrderView,
  type TradingState,
} from '@utm/contracts';
import type { Decimal } from '@utm/db';
import { equityOf, markPrice } from '@utm/trading';

/**
 * The JSON of the Accounts endpoints. GET /api/v1/accounts/:id keeps the contract's fields
 * (accountId, name, mode, broker, cash, equity, positions [{symbol, quantity, avgPrice}]) and
 * adds tradingState, each position's mark price and live exit orders, open orders, recent fills.
 */
export interface AccountRow {
  id: string;
  name: string;
  mode: ModeValue;
  broker: string;
  cash: Decimal;
  tradingState: TradingState;
  positions: { symbol: string; quantity: Decimal; avgPrice: Decimal }[];
}

export type Marks = Map<string, Decimal>;

/** A fill of one of the account's orders, with the order it belongs to. */
export interface RecentFill {
  quantity: Decimal;
  price: Decimal;
  at: Date;
  order: { id: string; signalId: string; symbol: string; side: OrderSide; role: OrderRole };
}

export function accountSummaryView(a: AccountRow, marks: Marks): AccountSummaryView {
  const equity = equityOf(
    a.cash,
    a.positions.map((p) => ({ quantity: p.quantity, mark: markPrice(marks.get(p.symbol), p.avgPrice) })),
  );
  return {
    accountId: a.id,
    name: a.name,
    mode: a.mode,
    broker: a.broker,
    cash: dec(a.cash),
    equity: dec(equity),
    tradingState: a.tradingState,
  };
}

/** An exit leg protects its position while it can still fill and no cancel was asked for. */
function isLiveExit(o: OrderRow & { cancelRequestedAt: Date | null }): boolean {
  return isExitRole(o.role) && o.cancelRequestedAt === null;
}

export function accountDetailView(
  a: AccountRow,
  marks: Marks,
  openOrders: (OrderRow & { cancelRequestedAt: Date | null })[],
  fills: RecentFill[],
): AccountDetailView {
  const exits = new Map<string, OrderView[]>();
  // Oldest first within a position: the stop placed with the entry before later ones.
  for (const o of [...openOrders].reverse()) {
    if (!isLiveExit(o)) continue;
    exits.set(o.symbol, [...(exits.get(o.symbol) ?? []), orderView(o)]);
  }
  return {
    ...accountSummaryView(a, marks),
    positions: a.positions.map((p) => ({
      ...positionView(p),
      markPrice: dec(marks.get(p.symbol) ?? null),
      exitOrders: exits.get(p.symbol) ?? [],
    })),
    openOrders: openOrders.map((o) => orderView(o)),
    recentFills: fills.map((f) => ({
      orderId: f.order.id,
      signalId: f.order.signalId,
      symbol: f.order.symbol,
      side: f.order.side,
      role: f.order.role,
      quantity: dec(f.quantity),
      price: dec(f.price),
      at: f.at.toISOString(),
    })),
  };
}
