/**
 * Our orders in ccxt's unified terms and back.
 *
 * ccxt's order structure (docs.ccxt.com "Order structure"): status open | closed | canceled |
 * expired | rejected, filled, cost, average, clientOrderId, info (the exchange's own answer).
 * Binance spot (rest-api.md "Query order"): executedQty and cummulativeQuoteQty are exact
 * strings, so quantities and prices are taken from them when present; status NEW,
 * PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, EXPIRED_IN_MATCH, REJECTED (enums.md).
 *
 * ccxt's createOrder for binance spot (js/src/binance.js createOrderRequest): type 'market' |
 * 'limit'; params.clientOrderId → newClientOrderId; params.triggerPrice on a market order →
 * STOP_LOSS, on a limit order → STOP_LOSS_LIMIT (a stop below the market to sell, above it to
 * buy); params.timeInForce GTC | IOC | FOK.
 */
import type { Order, Trade } from 'ccxt';
import { Decimal } from '@utm/db';
import type { BrokerOrder, BrokerOrderRequest, BrokerOrderStatus, BrokerTimeInForce } from '../broker/types';

const dec = (v: unknown): Decimal | null =>
  v === undefined || v === null || v === '' || (typeof v === 'number' && !Number.isFinite(v))
    ? null
    : new Decimal(String(v));

const RAW_STATUS: Record<string, BrokerOrderStatus> = {
  NEW: 'ACCEPTED',
  PENDING_NEW: 'ACCEPTED',
  PARTIALLY_FILLED: 'PARTIALLY_FILLED',
  FILLED: 'FILLED',
  CANCELED: 'CANCELLED',
  PENDING_CANCEL: 'ACCEPTED',
  REJECTED: 'REJECTED',
  EXPIRED: 'EXPIRED',
  EXPIRED_IN_MATCH: 'EXPIRED',
};

function unifiedStatus(status: string | undefined, filled: Decimal): BrokerOrderStatus {
  switch (status) {
    case 'closed':
      return 'FILLED';
    case 'canceled':
      return 'CANCELLED';
    case 'expired':
      return 'EXPIRED';
    case 'rejected':
      return 'REJECTED';
    default:
      return filled.gt(0) ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  }
}

/**
 * Commission the exchange kept out of what the order received: in the base asset (a buy's
 * quantity) or in the quote asset (a sell's proceeds). A commission in a third asset (BNB) is
 * neither.
 */
export interface Commission {
  inBase: Decimal;
  inQuote: Decimal;
}
export const NO_COMMISSION: Commission = { inBase: new Decimal(0), inQuote: new Decimal(0) };

/** Commission by asset from ccxt trades (Binance: each trade's info.commission and commissionAsset, exact). */
export function commissionOf(trades: Trade[], base: string, quote: string): Commission {
  let inBase = new Decimal(0);
  let inQuote = new Decimal(0);
  for (const t of trades) {
    const info = (t.info ?? {}) as Record<string, unknown>;
    const cost = dec(info.commission) ?? dec(t.fee?.cost) ?? new Decimal(0);
    const asset = typeof info.commissionAsset === 'string' ? info.commissionAsset : t.fee?.currency;
    if (asset === base) inBase = inBase.plus(cost);
    else if (asset === quote) inQuote = inQuote.plus(cost);
  }
  return { inBase, inQuote };
}

/**
 * A ccxt order as ours, net of the commission kept: the quantity a buy filled is what the
 * account received, and a fill's price is what it paid (or got) per unit of it, so position and
 * cash follow the exchange's balances. `brokerOrderId` is "<market id>:<exchange order id>": Binance numbers
 * orders per symbol, so its id alone does not name one order.
 */
export function fromCcxtOrder(
  o: Order,
  marketId: string,
  legs: BrokerOrder[] = [],
  commission: Commission = NO_COMMISSION,
): BrokerOrder {
  const info = (o.info ?? {}) as Record<string, unknown>;
  const filled = (dec(info.executedQty) ?? dec(o.filled) ?? new Decimal(0)).minus(commission.inBase);
  const grossCost = dec(info.cummulativeQuoteQty) ?? dec(o.cost);
  const cost = grossCost ? grossCost.minus(commission.inQuote) : null;
  const raw = typeof info.status === 'string' ? RAW_STATUS[info.status] : undefined;
  const status = raw ?? unifiedStatus(o.status, filled);
  const avg = filled.gt(0) ? (cost && cost.gt(0) ? cost.div(filled).toDecimalPlaces(10) : dec(o.average)) : null;
  const expiry = typeof info.expiryReason === 'string' ? info.expiryReason : null;
  return {
    brokerOrderId: `${marketId}:${o.id}`,
    clientOrderId: o.clientOrderId ?? '',
    status,
    filledQuantity: filled,
    avgFillPrice: avg,
    legs,
    reason:
      status === 'EXPIRED'
        ? (expiry ?? 'expired at the exchange')
        : status === 'REJECTED'
          ? 'rejected by the exchange'
          : null,
  };
}

/** Crypto markets have no session close: DAY is taken as GTC (good until cancelled). */
export function ccxtTimeInForce(tif: BrokerTimeInForce): 'GTC' | 'IOC' | 'FOK' {
  return tif === 'DAY' ? 'GTC' : tif;
}

export interface CcxtOrderArgs {
  type: 'market' | 'limit';
  side: 'buy' | 'sell';
  amount: number;
  price: number | undefined;
  params: Record<string, string | number>;
}

/** createOrder's arguments for a plain order (no OCO). Amounts cross to ccxt as numbers, exact to their last digit. */
export function toCcxtOrder(req: BrokerOrderRequest): CcxtOrderArgs {
  const side = req.side === 'BUY' ? 'buy' : 'sell';
  const amount = Number(req.quantity.toFixed());
  const params: Record<string, string | number> = { clientOrderId: req.clientOrderId };
  const limit = req.type === 'LIMIT' || req.type === 'STOP_LIMIT';
  if (limit) params.timeInForce = ccxtTimeInForce(req.timeInForce);
  if ((req.type === 'STOP' || req.type === 'STOP_LIMIT') && req.stopPrice)
    params.triggerPrice = req.stopPrice.toFixed();
  return {
    type: limit ? 'limit' : 'market',
    side,
    amount,
    price: limit && req.limitPrice ? Number(req.limitPrice.toFixed()) : undefined,
    params,
  };
}

/**
 * POST /api/v3/orderList/oco's parameters (rest-api.md "New Order list - OCO"): our take-profit
 * id is the list's client id and its LIMIT_MAKER's; the stop is a STOP_LOSS. A SELL pair protects
 * a long: the take profit is the above order, the stop the below one (a BUY pair mirrored).
 */
export function binanceOcoParams(
  req: BrokerOrderRequest,
  oco: NonNullable<BrokerOrderRequest['oco']>,
  marketId: string,
): Record<string, string> {
  const [tp, stop] = req.side === 'SELL' ? ['above', 'below'] : ['below', 'above'];
  return {
    symbol: marketId,
    side: req.side,
    quantity: req.quantity.toFixed(),
    listClientOrderId: req.clientOrderId,
    [`${tp}Type`]: 'LIMIT_MAKER',
    [`${tp}Price`]: oco.takeProfitLimitPrice.toFixed(),
    [`${tp}ClientOrderId`]: req.clientOrderId,
    [`${stop}Type`]: 'STOP_LOSS',
    [`${stop}StopPrice`]: oco.stopLossStopPrice.toFixed(),
    newOrderRespType: 'RESULT',
  };
}
