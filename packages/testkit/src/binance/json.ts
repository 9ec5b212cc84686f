/**
 * The stand-in's answers in Binance's JSON shapes (rest-api.md: "New order" ACK/RESULT/FULL,
 * "Query order", "New Order list - OCO", "Query Order list", "Account information"). Decimals are
 * strings with 8 decimals, as Binance sends them.
 */
import type { Decimal } from '@utm/db';
import type { OrderList, SpotBook, SpotOrder } from './book';

const d8 = (v: Decimal): string => v.toFixed(8);

export function orderJson(o: SpotOrder, resp: 'ACK' | 'RESULT' | 'FULL' | 'QUERY'): Record<string, unknown> {
  const ack = {
    symbol: o.symbol,
    orderId: o.orderId,
    orderListId: o.orderListId,
    clientOrderId: o.clientOrderId,
    transactTime: o.updateTime,
  };
  if (resp === 'ACK') return ack;
  const result: Record<string, unknown> = {
    ...ack,
    price: d8(o.price),
    origQty: d8(o.origQty),
    executedQty: d8(o.executedQty),
    origQuoteOrderQty: '0.00000000',
    cummulativeQuoteQty: d8(o.cummulativeQuoteQty),
    status: o.status,
    timeInForce: o.timeInForce,
    type: o.type,
    side: o.side,
    workingTime: o.time,
    selfTradePreventionMode: 'NONE',
  };
  if (o.stopPrice) result.stopPrice = d8(o.stopPrice);
  if (o.expiryReason) result.expiryReason = o.expiryReason;
  if (resp === 'QUERY') {
    delete result.transactTime;
    return { ...result, time: o.time, updateTime: o.updateTime, isWorking: true };
  }
  if (resp === 'FULL')
    result.fills = o.trades.map((t) => ({
      price: d8(t.price),
      qty: d8(t.qty),
      commission: d8(t.commission),
      commissionAsset: t.commissionAsset,
      tradeId: t.id,
    }));
  return result;
}

export function listJson(book: SpotBook, list: OrderList, reports?: 'RESULT' | 'FULL'): Record<string, unknown> {
  const orders = list.orderIds
    .map((id) => book.byOrderId(list.symbol, id))
    .filter((o): o is SpotOrder => o !== undefined);
  return {
    orderListId: list.orderListId,
    contingencyType: 'OCO',
    listStatusType: list.done ? 'ALL_DONE' : 'EXEC_STARTED',
    listOrderStatus: list.done ? 'ALL_DONE' : 'EXECUTING',
    listClientOrderId: list.listClientOrderId,
    transactionTime: list.transactionTime,
    symbol: list.symbol,
    orders: orders.map((o) => ({ symbol: o.symbol, orderId: o.orderId, clientOrderId: o.clientOrderId })),
    ...(reports ? { orderReports: orders.map((o) => orderJson(o, reports)) } : {}),
  };
}

export function accountJson(book: SpotBook, now: number): Record<string, unknown> {
  return {
    makerCommission: 0,
    takerCommission: 0,
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: {
      maker: '0.00000000',
      taker: d8(book.takerCommission),
      buyer: '0.00000000',
      seller: '0.00000000',
    },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: now,
    accountType: 'SPOT',
    balances: [...book.balances.entries()].map(([asset, b]) => ({ asset, free: d8(b.free), locked: d8(b.locked) })),
    permissions: ['SPOT'],
    uid: 354937868,
  };
}

/** GET /api/v3/myTrades entries of one order (rest-api.md "Account trade list"). */
export function tradesJson(o: SpotOrder): Record<string, unknown>[] {
  return o.trades.map((t) => ({
    symbol: o.symbol,
    id: t.id,
    orderId: o.orderId,
    orderListId: o.orderListId,
    price: d8(t.price),
    qty: d8(t.qty),
    quoteQty: d8(t.price.times(t.qty)),
    commission: d8(t.commission),
    commissionAsset: t.commissionAsset,
    time: o.updateTime,
    isBuyer: o.side === 'BUY',
    isMaker: false,
    isBestMatch: true,
  }));
}
