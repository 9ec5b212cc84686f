/**
 * Our orders ⇄ Alpaca's order JSON (Trading API v2).
 *
 * Sources (Alpaca's own documentation):
 * - POST /v2/orders body, order entity, error statuses:
 *   https://docs.alpaca.markets/reference/orders (reference/postorder),
 *   https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/endpoints/orders.yaml,
 *   https://github.com/alpacahq/alpaca-docs/blob/master/data/webapi/entities/order-v2.yaml
 * - Order types, bracket / OCO / trailing stop shapes, time in force, order lifecycle:
 *   https://docs.alpaca.markets/docs/orders-at-alpaca
 *   (same text: https://github.com/alpacahq/alpaca-docs/blob/master/content/trading/orders.md)
 * - Fractional quantities: https://docs.alpaca.markets/docs/fractional-trading
 *
 * Decimals travel as strings both ways ("qty": "1.5"); they are built from and parsed into
 * Decimal, never through a binary float.
 */
import { Decimal } from '@utm/db';
import { alpacaOrderRefusal } from '@utm/trading';
import {
  BrokerError,
  type BrokerOrder,
  type BrokerOrderRequest,
  type BrokerOrderStatus,
  type BrokerReplaceRequest,
} from '../broker/types';
import { asArray, asRecord, optDecimal, optString, reqString, toDecimal, type JsonRecord } from './json';

/** Alpaca limits client_order_id to 48 characters (orders.yaml); our ids are 36-char UUIDs. */
export const MAX_CLIENT_ORDER_ID = 48;

export interface AlpacaOrderRequest {
  symbol: string;
  qty: string;
  side: 'buy' | 'sell';
  type: 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
  time_in_force: 'day' | 'gtc' | 'ioc' | 'fok';
  client_order_id: string;
  limit_price?: string;
  stop_price?: string;
  trail_percent?: string;
  trail_price?: string;
  order_class?: 'bracket' | 'oco' | 'oto';
  take_profit?: { limit_price: string };
  stop_loss?: { stop_price: string };
}

/** The fields of Alpaca's order entity that we read. */
export interface AlpacaOrder {
  id: string;
  clientOrderId: string;
  status: string;
  orderClass: string;
  qty: Decimal | null;
  filledQty: Decimal;
  filledAvgPrice: Decimal | null;
  replacedBy: string | null;
  submittedAt: string | null;
  filledAt: string | null;
  updatedAt: string | null;
  legs: AlpacaOrder[];
}

function refuse(message: string): BrokerError {
  // A request we know Alpaca would refuse: final, and never sent.
  return new BrokerError('BROKER_ERROR', message);
}

/** toFixed(): decimal.js's toString() switches to exponent notation ("1e-7"), which Alpaca would not parse. */
const dec = (d: Decimal): string => d.toFixed();

function need(value: Decimal | null, field: string, type: string): Decimal {
  if (value === null) throw refuse(`${type} order needs ${field}`);
  return value;
}

export function toAlpacaOrder(req: BrokerOrderRequest): AlpacaOrderRequest {
  if (req.clientOrderId.length > MAX_CLIENT_ORDER_ID)
    throw refuse(`client order id longer than ${MAX_CLIENT_ORDER_ID} characters`);
  if (!req.quantity.isFinite() || req.quantity.lte(0)) throw refuse('order quantity must be positive');
  const body: AlpacaOrderRequest = {
    symbol: req.symbol,
    qty: dec(req.quantity),
    side: req.side === 'BUY' ? 'buy' : 'sell',
    type: 'market',
    time_in_force: req.timeInForce.toLowerCase() as AlpacaOrderRequest['time_in_force'],
    client_order_id: req.clientOrderId,
  };
  switch (req.type) {
    case 'MARKET':
      break;
    case 'LIMIT':
      body.type = 'limit';
      body.limit_price = dec(need(req.limitPrice, 'limitPrice', 'LIMIT'));
      break;
    case 'STOP':
      body.type = 'stop';
      body.stop_price = dec(need(req.stopPrice, 'stopPrice', 'STOP'));
      break;
    case 'STOP_LIMIT':
      body.type = 'stop_limit';
      body.limit_price = dec(need(req.limitPrice, 'limitPrice', 'STOP_LIMIT'));
      body.stop_price = dec(need(req.stopPrice, 'stopPrice', 'STOP_LIMIT'));
      break;
    case 'TRAILING_STOP':
      body.type = 'trailing_stop';
      // Alpaca: "One of these values must be set"; sending both is ambiguous, so we refuse it.
      if ((req.trailPercent === null) === (req.trailAmount === null))
        throw refuse('TRAILING_STOP order needs exactly one of trailPercent and trailAmount');
      if (req.trailPercent !== null) body.trail_percent = dec(req.trailPercent);
      if (req.trailAmount !== null) body.trail_price = dec(req.trailAmount);
      break;
  }
  if ([req.bracket, req.oco, req.oto].filter(Boolean).length > 1)
    throw refuse('an order can be only one of a bracket, an OCO pair and an OTO');
  if (req.oto) {
    // Alpaca: order_class "oto" with either take_profit or stop_loss (not both: that is a bracket).
    body.order_class = 'oto';
    if ('takeProfitLimitPrice' in req.oto) body.take_profit = { limit_price: dec(req.oto.takeProfitLimitPrice) };
    else body.stop_loss = { stop_price: dec(req.oto.stopLossStopPrice) };
  }
  if (req.bracket) {
    // The entry is the order above; Alpaca creates the take-profit limit and the stop-loss
    // stop legs and makes them one-cancels-other. No stop_loss.limit_price: a plain stop.
    body.order_class = 'bracket';
    body.take_profit = { limit_price: dec(req.bracket.takeProfitLimitPrice) };
    body.stop_loss = { stop_price: dec(req.bracket.stopLossStopPrice) };
  }
  if (req.oco) {
    // Alpaca: 'The type parameter must always be "limit"' and the documented example carries
    // no top-level limit_price (the take-profit's price is take_profit.limit_price). We send
    // exactly the documented shape and nothing more.
    if (req.type !== 'LIMIT') throw refuse('an OCO exit pair must be a LIMIT order');
    delete body.limit_price;
    body.order_class = 'oco';
    body.take_profit = { limit_price: dec(req.oco.takeProfitLimitPrice) };
    body.stop_loss = { stop_price: dec(req.oco.stopLossStopPrice) };
  }
  guard(req);
  return body;
}

/** Would Alpaca refuse it (its shape, prices or quantity for this instrument)? Then it is never sent. */
function guard(req: BrokerOrderRequest): void {
  const pair = req.bracket ?? req.oco ?? null;
  const one = req.oto ? Object.values(req.oto) : [];
  const refusal = alpacaOrderRefusal(
    {
      symbol: req.symbol,
      side: req.side,
      type: req.type,
      quantity: req.quantity,
      limitPrice: req.oco ? null : req.limitPrice,
      stopPrice: req.stopPrice,
      trailAmount: req.trailAmount,
      timeInForce: req.timeInForce,
      exitPrices: pair ? [pair.takeProfitLimitPrice, pair.stopLossStopPrice] : one,
      advanced: Boolean(req.bracket ?? req.oco ?? req.oto),
      opensShort: req.opensShort ?? false,
    },
    req.instrument ?? null,
  );
  if (refusal) throw new BrokerError(refusal.code, `Not sent to Alpaca: ${refusal.message}`);
}

/** PATCH /v2/orders/{id} body: what changes, and our id for the new order ("You can only patch full shares"). */
export interface AlpacaReplaceRequest {
  client_order_id: string;
  qty?: string;
  limit_price?: string;
  stop_price?: string;
}

export function toAlpacaReplace(req: BrokerReplaceRequest): AlpacaReplaceRequest {
  if (req.clientOrderId.length > MAX_CLIENT_ORDER_ID)
    throw refuse(`client order id longer than ${MAX_CLIENT_ORDER_ID} characters`);
  const body: AlpacaReplaceRequest = { client_order_id: req.clientOrderId };
  if (req.quantity !== null) {
    if (!req.quantity.isInteger() || req.quantity.lte(0)) throw refuse('Alpaca replaces only whole-share quantities');
    body.qty = dec(req.quantity);
  }
  if (req.limitPrice !== null) body.limit_price = dec(req.limitPrice);
  if (req.stopPrice !== null) body.stop_price = dec(req.stopPrice);
  if (Object.keys(body).length === 1) throw refuse('nothing to replace');
  return body;
}

export function parseAlpacaOrder(value: unknown): AlpacaOrder {
  const what = 'order';
  const rec: JsonRecord = asRecord(value, what);
  const legs = rec.legs === null || rec.legs === undefined ? [] : asArray(rec.legs, 'order legs').map(parseAlpacaOrder);
  return {
    id: reqString(rec, 'id', what),
    clientOrderId: reqString(rec, 'client_order_id', what),
    status: reqString(rec, 'status', what),
    orderClass: optString(rec, 'order_class', what) ?? 'simple',
    qty: optDecimal(rec, 'qty', what),
    filledQty: toDecimal(optString(rec, 'filled_qty', what) ?? '0', 'order filled_qty'),
    filledAvgPrice: optDecimal(rec, 'filled_avg_price', what),
    replacedBy: optString(rec, 'replaced_by', what),
    submittedAt: optString(rec, 'submitted_at', what),
    filledAt: optString(rec, 'filled_at', what),
    updatedAt: optString(rec, 'updated_at', what),
    legs,
  };
}

/**
 * Every Alpaca order status (orders-at-alpaca, "Order Lifecycle") and what it means for us.
 * 'live': the order can still fill, so ACCEPTED, or PARTIALLY_FILLED once something filled.
 */
const STATUS: Record<string, BrokerOrderStatus | 'live' | 'calculated'> = {
  new: 'live', // routed, working
  accepted: 'live', // received, not yet routed (often outside market hours)
  pending_new: 'live', // routed, not yet acknowledged by the venue
  accepted_for_bidding: 'live', // at the venue, being priced
  held: 'live', // a bracket leg waiting for its entry to fill (not in the lifecycle list; seen on legs)
  stopped: 'live', // "a trade is guaranteed ... but has not yet occurred": not filled until it is
  suspended: 'live', // "not eligible for trading" but not final: it may resume, so not a terminal state
  pending_cancel: 'live', // the cancel is not done: the order may still fill
  pending_replace: 'live', // likewise
  // "done executing for the day, and will not receive further updates until the next trading
  // day": not final (the docs do not call it terminal), so the order stays open on our side.
  done_for_day: 'live',
  // "replaced by another order, or updated due to a market event such as corporate action".
  // The replacement (replaced_by) may still fill. Read as live, with replaced_by in the order
  // (BrokerOrder.replacedBy): the executor ends our row when the replacement is one of ours
  // (a resized exit leg), and otherwise keeps watching it rather than miss a fill.
  replaced: 'live',
  // "completed for the day (either filled or done for day), settlement pending": filled if the
  // whole quantity is, else treated like done_for_day.
  calculated: 'calculated',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  canceled: 'CANCELLED', // whatever filled before the cancel stays in filledQuantity
  expired: 'EXPIRED',
  rejected: 'REJECTED',
};

export function mapStatus(order: Pick<AlpacaOrder, 'status' | 'qty' | 'filledQty'>): BrokerOrderStatus {
  // An unknown (future) status is read as live: keeping an order open is recoverable, closing
  // one that can still fill is not.
  const kind = STATUS[order.status] ?? 'live';
  const live: BrokerOrderStatus = order.filledQty.gt(0) ? 'PARTIALLY_FILLED' : 'ACCEPTED';
  if (kind === 'live') return live;
  if (kind === 'calculated') return order.qty !== null && order.filledQty.gte(order.qty) ? 'FILLED' : live;
  return kind;
}

export function isTerminal(status: BrokerOrderStatus): boolean {
  return status === 'FILLED' || status === 'CANCELLED' || status === 'REJECTED' || status === 'EXPIRED';
}

export function fromAlpacaOrder(order: AlpacaOrder): BrokerOrder {
  const status = mapStatus(order);
  // The order entity carries no rejection or cancel reason; only a replacement is explained.
  const reason =
    order.status === 'replaced' && order.replacedBy !== null ? `replaced by Alpaca order ${order.replacedBy}` : null;
  return {
    brokerOrderId: order.id,
    clientOrderId: order.clientOrderId,
    status,
    filledQuantity: order.filledQty,
    avgFillPrice: order.filledAvgPrice,
    legs: order.legs.map(fromAlpacaOrder),
    reason,
    replacedBy: order.status === 'replaced' ? order.replacedBy : null,
    pendingCancel: order.status === 'pending_cancel',
  };
}
