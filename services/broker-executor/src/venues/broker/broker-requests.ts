import type { PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import type { BrokerOrderRequest, BrokerReplaceRequest } from './types';
import { amendFields } from '../../domain/leg-resize';
import { positionOf } from '../../repositories/accounts';
import { refreshSignal, updateOrder, type ExecOrder } from '../../repositories/orders';

/** The requests the broker venue sends for our order rows. */
export function requestOf(order: ExecOrder, quantity = order.quantity): BrokerOrderRequest {
  return {
    clientOrderId: order.id,
    symbol: order.symbol,
    side: order.side,
    type: order.type,
    quantity,
    limitPrice: order.limitPrice,
    stopPrice: order.stopPrice,
    trailPercent: order.trailPercent,
    trailAmount: order.trailAmount,
    timeInForce: order.timeInForce,
    opensShort: order.role === 'ENTRY' && order.side === 'SELL',
  };
}

/**
 * A CLOSE never sells (buys) more than is held when it is placed: a close decided against
 * orders that have not filled (or were cancelled) is capped here, or ends when nothing is
 * left to close. Returns the quantity to send, or null when the order was ended.
 */
export async function capClose(client: PoolClient, order: ExecOrder): Promise<Decimal | null> {
  if (order.role !== 'CLOSE') return order.quantity;
  const held = (await positionOf(client, order.accountId, order.symbol))?.quantity ?? new Decimal(0);
  const closable = order.side === 'SELL' ? Decimal.max(held, 0) : Decimal.max(held.neg(), 0);
  if (closable.isZero()) {
    await updateOrder(
      client,
      order,
      { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'nothing left to close' },
      {
        type: 'ORDER_CANCELLED',
        message: `Nothing to close: no ${order.side === 'SELL' ? 'long' : 'short'} position in ${order.symbol} when the close was placed`,
      },
    );
    await refreshSignal(client, order.signalId);
    return null;
  }
  if (closable.lt(order.quantity)) {
    await updateOrder(
      client,
      order,
      { quantity: closable },
      {
        type: 'NOTE',
        message: `Close capped at the position held: ${closable.toFixed()} of ${order.quantity.toFixed()}`,
      },
    );
    return closable;
  }
  return order.quantity;
}

export async function signalReceivedAt(c: PoolClient, signalId: string): Promise<Date> {
  const { rows } = await c.query<{ received_at: Date }>({
    name: 'executor-signal-received',
    text: 'SELECT received_at FROM signals WHERE id = $1',
    values: [signalId],
  });
  if (!rows[0]) throw new Error(`signal ${signalId} not found`);
  return rows[0].received_at;
}

/** A take-profit order with its stop loss carried: one native OCO request. */
export function withLegs(req: BrokerOrderRequest, carried: ExecOrder[]): BrokerOrderRequest {
  const stop = carried.find((o) => o.role === 'STOP_LOSS' && o.stopPrice !== null);
  if (!stop?.stopPrice || req.type !== 'LIMIT' || !req.limitPrice) return req;
  return { ...req, oco: { takeProfitLimitPrice: req.limitPrice, stopLossStopPrice: stop.stopPrice } };
}

/** The replace request that turns `old` (working at the broker) into its replacement row `r`. */
export function amendRequestOf(old: ExecOrder, r: ExecOrder): BrokerReplaceRequest {
  return { clientOrderId: r.id, ...amendFields(old, r) };
}
