import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Decimal } from '@utm/db';
import type { BrokerCapabilities } from '../brokers/types';
import { legsForBroker, onLegFill, planExitLegs, resizeLegsForEntryFill, type ExitLeg, type ExitLegDraft } from '../domain/exit-legs';
import { addEvent, EXIT_ROLES, loadOrder, ORDER_COLUMNS, toOrder, updateOrder, type ExecOrder } from './orders';

/**
 * Exit legs as order rows: created when an entry fills, resized when it fills further,
 * one-cancels-other when one of them fills. On the paper engine a leg rests at once and a
 * cancel is immediate; at an external broker a new leg waits NEW and a cancel is requested,
 * for the account's executor to carry out (the returned ids need the account worked).
 */
export type LegMode = 'paper' | 'broker';

async function legsOf(client: PoolClient, entryId: string): Promise<ExecOrder[]> {
  const { rows } = await client.query(`SELECT ${ORDER_COLUMNS} FROM orders WHERE parent_order_id = $1 ORDER BY seq FOR UPDATE`, [entryId]);
  return rows.map(toOrder);
}

const asLeg = (o: ExecOrder): ExitLeg => ({
  id: o.id,
  role: o.role as ExitLeg['role'],
  status: o.status,
  quantity: o.quantity,
  filledQuantity: o.filledQuantity,
  limitPrice: o.limitPrice,
  stopPrice: o.stopPrice,
  trailPercent: o.trailPercent,
  trailAmount: o.trailAmount,
  trailReference: o.trailReference,
});

async function createLeg(client: PoolClient, entry: ExecOrder, d: ExitLegDraft, mode: LegMode, id = randomUUID(), carriedBy: string | null = null): Promise<string> {
  const text = (v: Decimal | null) => (v === null ? null : v.toFixed());
  await client.query(
    `INSERT INTO orders (id, signal_id, account_id, parent_order_id, oco_group, role, symbol, side, type, quantity, limit_price, stop_price,
                         trail_percent, trail_amount, trail_reference, time_in_force, status, broker_order_id, carried_by)
     VALUES ($1, $2, $3, $4, $4, $5::"OrderRole", $6, $7::"OrderSide", $8::"OrderType", $9::numeric, $10::numeric, $11::numeric,
             $12::numeric, $13::numeric, $14::numeric, $15::"TimeInForce", $16::"OrderStatus", $17, $18)`,
    [
      id,
      entry.signalId,
      entry.accountId,
      entry.id,
      d.role,
      entry.symbol,
      d.side,
      d.type,
      d.quantity.toFixed(),
      text(d.limitPrice),
      text(d.stopPrice),
      text(d.trailPercent),
      text(d.trailAmount),
      text(d.trailReference),
      d.timeInForce,
      mode === 'paper' ? 'ACCEPTED' : 'NEW',
      mode === 'paper' ? `paper-${id}` : null,
      carriedBy,
    ],
  );
  const price = d.type === 'LIMIT' ? `limit ${d.limitPrice?.toFixed()}` : d.type === 'STOP' ? `stop ${d.stopPrice?.toFixed()}` : `trailing ${d.trailPercent ? `${d.trailPercent.toFixed()}%` : d.trailAmount?.toFixed()}, stop ${d.stopPrice?.toFixed()}`;
  const via = carriedBy ? `, one-cancels-other at the broker with ${carriedBy}` : '';
  await addEvent(client, entry.signalId, id, 'EXIT_LEG_CREATED', `${d.role} ${d.side} ${d.quantity.toFixed()} ${entry.symbol} ${price} GTC${via}`);
  return id;
}

async function cancelLeg(client: PoolClient, leg: ExecOrder, mode: LegMode, why: string): Promise<string | null> {
  if (mode === 'paper' || leg.status === 'NEW') {
    await updateOrder(client, leg, { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: why }, { type: 'ORDER_CANCELLED', message: why });
    return null;
  }
  await client.query('UPDATE orders SET cancel_requested_at = now(), updated_at = now() WHERE id = $1 AND cancel_requested_at IS NULL', [leg.id]);
  await addEvent(client, leg.signalId, leg.id, 'CANCEL_REQUESTED', why);
  return leg.id;
}

/**
 * After `order`'s fills are recorded (same transaction, account locked). Returns ids to work.
 * `caps`: the external broker's; where it has native OCO, the stop loss and take profit are
 * one OCO order there (the stop-loss row carried by the take-profit row).
 */
export async function afterFill(client: PoolClient, order: ExecOrder, mode: LegMode, caps?: BrokerCapabilities): Promise<string[]> {
  if (order.role === 'ENTRY' && order.exitRules && order.avgFillPrice && order.filledQuantity.gt(0)) return entryFilled(client, order, mode, caps);
  if (EXIT_ROLES.includes(order.role) && order.parentOrderId) return legFilled(client, order, mode);
  return [];
}

async function entryFilled(client: PoolClient, entry: ExecOrder, mode: LegMode, caps?: BrokerCapabilities): Promise<string[]> {
  if (!entry.avgFillPrice) return [];
  const fill = { entrySide: entry.side, filledQuantity: entry.filledQuantity, avgFillPrice: entry.avgFillPrice, exitRules: entry.exitRules };
  const existing = await legsOf(client, entry.id);
  const work: string[] = [];
  if (!existing.length) {
    const plan = planExitLegs(fill);
    if (!plan.ok) await addEvent(client, entry.signalId, entry.id, 'EXIT_RULE_REFUSED', plan.message);
    const target = plan.legs.find((d) => d.role === 'TAKE_PROFIT');
    const native = mode === 'broker' && caps !== undefined && target !== undefined && plan.legs.some((d) => d.role === 'STOP_LOSS') && legsForBroker(caps, entry.exitRules).ocoAfterFill;
    const targetId = randomUUID();
    for (const d of plan.legs) {
      if (native && d.role === 'STOP_LOSS') await createLeg(client, entry, d, mode, randomUUID(), targetId);
      else work.push(await createLeg(client, entry, d, mode, d === target ? targetId : randomUUID()));
    }
    return mode === 'paper' ? [] : work;
  }
  const resize = resizeLegsForEntryFill(existing.map(asLeg), fill);
  if (resize.message) await addEvent(client, entry.signalId, entry.id, 'NOTE', resize.message);
  for (const a of resize.amend) {
    const leg = existing.find((l) => l.id === a.id);
    if (!leg) continue;
    if (mode === 'broker' && leg.status !== 'NEW') {
      // Amending a working order at a broker is a cancel/replace; the leg keeps its size
      // until then, and the event says so.
      await addEvent(client, leg.signalId, leg.id, 'NOTE', `Exit leg would follow the entry's fill to ${a.quantity?.toFixed() ?? leg.quantity.toFixed()}; it keeps ${leg.quantity.toFixed()} at the broker`);
      continue;
    }
    await client.query(
      `UPDATE orders SET quantity = coalesce($2::numeric, quantity), limit_price = coalesce($3::numeric, limit_price), stop_price = coalesce($4::numeric, stop_price),
              trail_reference = coalesce($5::numeric, trail_reference), updated_at = now() WHERE id = $1`,
      [a.id, a.quantity?.toFixed() ?? null, a.limitPrice?.toFixed() ?? null, a.stopPrice?.toFixed() ?? null, a.trailReference?.toFixed() ?? null],
    );
    await addEvent(client, leg.signalId, leg.id, 'EXIT_LEG_RESIZED', `${leg.role} now ${(a.quantity ?? leg.quantity).toFixed()} (entry filled ${entry.filledQuantity.toFixed()})`);
  }
  for (const d of resize.create) work.push(await createLeg(client, entry, d, mode));
  return mode === 'paper' ? [] : work;
}

async function legFilled(client: PoolClient, leg: ExecOrder, mode: LegMode): Promise<string[]> {
  const entry = await loadOrder(client, leg.parentOrderId ?? '', true);
  if (!entry) return [];
  const siblings = await legsOf(client, entry.id);
  const result = onLegFill(siblings.map(asLeg), entry.filledQuantity, leg.id, leg.filledQuantity);
  const work: string[] = [];
  for (const id of result.cancel) {
    const sibling = siblings.find((s) => s.id === id);
    const w = sibling ? await cancelLeg(client, sibling, mode, `One-cancels-other: ${leg.role} filled, position closed`) : null;
    if (w) work.push(w);
  }
  for (const r of result.resize) {
    const sibling = siblings.find((s) => s.id === r.id);
    if (!sibling || (mode === 'broker' && sibling.status !== 'NEW')) continue;
    await client.query('UPDATE orders SET quantity = $2::numeric, updated_at = now() WHERE id = $1', [r.id, r.quantity.toFixed()]);
    await addEvent(client, sibling.signalId, sibling.id, 'EXIT_LEG_RESIZED', `${sibling.role} now ${r.quantity.toFixed()}: ${leg.role} closed part of the position`);
  }
  if (result.cancelEntryRemainder && ['ACCEPTED', 'PARTIALLY_FILLED', 'NEW'].includes(entry.status)) {
    const w = await cancelLeg(client, entry, mode, 'Position closed by its exit: the entry\'s unfilled rest is cancelled');
    if (w) work.push(w);
  }
  if (result.excess.gt(0)) {
    await addEvent(client, leg.signalId, leg.id, 'EXCESS_CLOSE', `Exit legs closed ${result.excess.toFixed()} beyond the position: the account now holds the other side; review it`);
  }
  return work;
}
