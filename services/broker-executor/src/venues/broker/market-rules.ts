import type { PoolClient } from 'pg';
import type { Decimal } from '@utm/db';
import { fitToRules, roundToTick, type MarketRules } from '@utm/trading';
import { isExitRole } from '@utm/contracts';
import { refreshSignal, updateOrder, type ExecOrder } from '../../repositories/orders';

/** What the venue says before an order is sent: its market rules, and how much of the asset the account holds there to sell. */
export interface VenueFacts {
  rules: MarketRules | null;
  /** Spot: the base asset free at the venue (a sell can deliver no more); null when unknown. */
  held: Decimal | null;
}

/**
 * An order about to be sent (and the legs it carries, an OCO's stop) made to meet the venue, in
 * place()'s transaction: a close that sells goes down to what the account holds at the venue
 * (fills are recorded net of commission, but the balance can be short of the position for other
 * reasons: a withdrawal, a trade outside the platform); an exit leg's prices go to the venue's tick away from the money (a sell's stop
 * down and target up, a buy's mirrored), the quantity down to the lot step (event NOTE); then
 * lot size, price range and notional are checked (fitToRules). An order that cannot meet them
 * ends REJECTED with QUANTITY_INCREMENT, MIN_NOTIONAL or PRICE_INCREMENT and the numbers, its carried legs with
 * it. Returns the quantity to send, or null when refused.
 */
export async function fitToMarket(
  c: PoolClient,
  order: ExecOrder,
  quantity: Decimal,
  carried: ExecOrder[],
  facts: VenueFacts,
): Promise<Decimal | null> {
  let wanted = quantity;
  let why: string | null = null;
  if (order.role === 'CLOSE' && order.side === 'SELL' && facts.held && wanted.gt(facts.held)) {
    why = `Close capped at the ${facts.held.toFixed()} ${order.symbol.split('/')[0] ?? ''} held at the venue (of ${wanted.toFixed()})`;
    wanted = facts.held;
  }
  const rules = facts.rules;
  if (!rules) {
    if (why) await resize(c, [order, ...carried], wanted, why);
    return wanted;
  }
  let sendQuantity = wanted;
  for (const o of [order, ...carried]) {
    if (isExitRole(o.role) && rules.tickSize) await roundLegPrices(c, o, rules.tickSize);
    const fitted = fitToRules(rules, {
      symbol: o.symbol,
      type: o.type,
      quantity: wanted,
      limitPrice: o.limitPrice,
      stopPrice: o.stopPrice,
      referencePrice: o.priceBasis ?? o.limitPrice ?? o.stopPrice,
    });
    if (!fitted.ok) {
      for (const x of [order, ...carried])
        await updateOrder(
          c,
          x,
          { status: 'REJECTED', errorCode: fitted.code, errorMessage: fitted.message },
          {
            type: 'ORDER_REJECTED',
            message: `Refused before sending: ${fitted.message}${x === o ? '' : ` (order ${o.id})`}`,
          },
        );
      await refreshSignal(c, order.signalId);
      return null;
    }
    if (!fitted.quantity.eq(o.quantity))
      await resize(c, [o], fitted.quantity, [why, fitted.note].filter(Boolean).join('; ') || 'Quantity to the venue');
    sendQuantity = fitted.quantity;
  }
  return sendQuantity;
}

async function resize(c: PoolClient, orders: ExecOrder[], quantity: Decimal, message: string): Promise<void> {
  for (const o of orders) {
    if (o.quantity.eq(quantity)) continue;
    await updateOrder(c, o, { quantity }, { type: 'NOTE', message });
    o.quantity = quantity;
  }
}

async function roundLegPrices(c: PoolClient, leg: ExecOrder, tick: Decimal): Promise<void> {
  const sell = leg.side === 'SELL';
  const stop = leg.stopPrice ? roundToTick(leg.stopPrice, tick, sell ? 'down' : 'up') : null;
  const limit = leg.limitPrice ? roundToTick(leg.limitPrice, tick, sell ? 'up' : 'down') : null;
  const moved = (stop && !stop.eq(leg.stopPrice ?? 0)) || (limit && !limit.eq(leg.limitPrice ?? 0));
  if (!moved) return;
  await updateOrder(
    c,
    leg,
    { stopPrice: stop, limitPrice: limit },
    {
      type: 'NOTE',
      message: `Prices to the venue's tick ${tick.toFixed()}: stop ${stop?.toFixed() ?? '-'}, limit ${limit?.toFixed() ?? '-'}`,
    },
  );
  leg.stopPrice = stop;
  leg.limitPrice = limit;
}
