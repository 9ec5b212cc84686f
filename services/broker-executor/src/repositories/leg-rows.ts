import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Decimal } from '@utm/db';
import type { ExitLegDraft } from '../domain/exit-legs';
import type { ResizableLeg } from '../domain/leg-resize';
import { addEvent, ORDER_COLUMNS, toOrder, updateOrder, type ExecOrder, type ReplaceMethod } from './orders';

/**
 * Exit-leg rows: reading an entry's legs, inserting one (a new leg, or the resized version of
 * one working at a broker), cancelling one. On the paper engine a leg rests at once and a
 * cancel is immediate; at an external broker a new leg waits NEW and a cancel is requested,
 * for the account's executor to carry out.
 */
export type LegMode = 'paper' | 'broker';

/** The entry's legs, every version of them, oldest first, locked. */
export async function legsOf(client: PoolClient, entryId: string): Promise<ExecOrder[]> {
  const { rows } = await client.query(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE parent_order_id = $1 ORDER BY seq FOR UPDATE`,
    [entryId],
  );
  return rows.map(toOrder);
}

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

/** "limit 105", "stop 95", "trailing 3%, stop 97". */
export function priceText(
  d: { type: string } & Pick<ExitLegDraft, 'limitPrice' | 'stopPrice' | 'trailPercent' | 'trailAmount'>,
): string {
  if (d.type === 'LIMIT') return `limit ${d.limitPrice?.toFixed()}`;
  if (d.type === 'STOP') return `stop ${d.stopPrice?.toFixed()}`;
  if (d.type === 'STOP_LIMIT') return `stop ${d.stopPrice?.toFixed()} limit ${d.limitPrice?.toFixed()}`;
  return `trailing ${d.trailPercent ? `${d.trailPercent.toFixed()}%` : d.trailAmount?.toFixed()}, stop ${d.stopPrice?.toFixed()}`;
}

export interface LegRowOptions {
  mode: LegMode;
  id?: string;
  carriedBy?: string | null;
  /** The resized version of a leg: the row it replaces, and how. */
  replaces?: { id: string; method: ReplaceMethod } | null;
}

/** Inserts a leg of `parent` (the entry: signal, account, symbol, group). Returns its id. */
export async function insertLeg(
  client: PoolClient,
  parent: Pick<ExecOrder, 'id' | 'signalId' | 'accountId' | 'symbol'>,
  d: ExitLegDraft,
  opts: LegRowOptions,
): Promise<string> {
  const id = opts.id ?? randomUUID();
  const text = (v: Decimal | null) => (v === null ? null : v.toFixed());
  const paper = opts.mode === 'paper';
  await client.query(
    `INSERT INTO orders (id, signal_id, account_id, parent_order_id, oco_group, role, symbol, side, type, quantity, limit_price, stop_price,
                         trail_percent, trail_amount, trail_reference, time_in_force, status, broker_order_id, carried_by, replaces, replace_method)
     VALUES ($1, $2, $3, $4, $4, $5::"OrderRole", $6, $7::"OrderSide", $8::"OrderType", $9::numeric, $10::numeric, $11::numeric,
             $12::numeric, $13::numeric, $14::numeric, $15::"TimeInForce", $16::"OrderStatus", $17, $18, $19, $20::"ReplaceMethod")`,
    [
      id,
      parent.signalId,
      parent.accountId,
      parent.id,
      d.role,
      parent.symbol,
      d.side,
      d.type,
      d.quantity.toFixed(),
      text(d.limitPrice),
      text(d.stopPrice),
      text(d.trailPercent),
      text(d.trailAmount),
      text(d.trailReference),
      d.timeInForce,
      paper ? 'ACCEPTED' : 'NEW',
      paper ? `paper-${id}` : null,
      opts.carriedBy ?? null,
      opts.replaces?.id ?? null,
      opts.replaces?.method ?? null,
    ],
  );
  return id;
}

/** Ends a leg (paper, or never sent) or asks for its cancel at the broker; returns the id to work, if any. */
export async function cancelLeg(
  client: PoolClient,
  leg: ExecOrder,
  mode: LegMode,
  why: string,
): Promise<string | null> {
  if (mode === 'paper' || leg.status === 'NEW') {
    await updateOrder(
      client,
      leg,
      { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: why },
      { type: 'ORDER_CANCELLED', message: why },
    );
    return null;
  }
  await client.query(
    'UPDATE orders SET cancel_requested_at = now(), updated_at = now() WHERE id = $1 AND cancel_requested_at IS NULL',
    [leg.id],
  );
  await addEvent(client, leg.signalId, leg.id, 'CANCEL_REQUESTED', why);
  return leg.id;
}
