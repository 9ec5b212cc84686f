import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import type { Decimal } from '@utm/db';
import type { ExitLegDraft, LegAmendment } from '../domain/exit-legs';
import type { ExecOrder, ReplaceMethod } from '../domain/order';
import { ORDER_COLUMNS, toOrder } from './orders';

/**
 * Exit-leg rows at an external broker: reading an entry's legs, inserting one (a new leg, or
 * the resized version of one working there), changing one where it is, asking for its cancel.
 * (The paper engine writes its legs with the rest of its batch: paper-batch.ts.)
 */

/** The entry's legs, every version of them, oldest first, locked. */
export async function legsOf(client: PoolClient, entryId: string): Promise<ExecOrder[]> {
  const { rows } = await client.query({
    name: 'executor-legs-of',
    text: `SELECT ${ORDER_COLUMNS} FROM orders WHERE parent_order_id = $1 ORDER BY seq FOR UPDATE`,
    values: [entryId],
  });
  return rows.map(toOrder);
}

export interface LegRowOptions {
  id?: string;
  carriedBy?: string | null;
  /** The resized version of a leg: the row it replaces, and how. */
  replaces?: { id: string; method: ReplaceMethod } | null;
}

/** Inserts a leg of `parent` (the entry: signal, account, symbol, group), NEW: to be placed. Returns its id. */
export async function insertLeg(
  client: PoolClient,
  parent: Pick<ExecOrder, 'id' | 'signalId' | 'accountId' | 'symbol'>,
  d: ExitLegDraft,
  opts: LegRowOptions = {},
): Promise<string> {
  const id = opts.id ?? randomUUID();
  const text = (v: Decimal | null) => (v === null ? null : v.toFixed());
  await client.query(
    `INSERT INTO orders (id, signal_id, account_id, parent_order_id, oco_group, role, symbol, side, type, quantity, limit_price, stop_price,
                         trail_percent, trail_amount, trail_reference, time_in_force, status, carried_by, replaces, replace_method)
     VALUES ($1, $2, $3, $4, $4, $5::"OrderRole", $6, $7::"OrderSide", $8::"OrderType", $9::numeric, $10::numeric, $11::numeric,
             $12::numeric, $13::numeric, $14::numeric, $15::"TimeInForce", 'NEW', $16, $17, $18::"ReplaceMethod")`,
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
      opts.carriedBy ?? null,
      opts.replaces?.id ?? null,
      opts.replaces?.method ?? null,
    ],
  );
  return id;
}

/** A leg takes its new size or prices where it is (nothing to send: not sent yet, or nothing the broker holds). */
export async function amendLeg(client: PoolClient, a: LegAmendment): Promise<void> {
  await client.query(
    `UPDATE orders SET quantity = coalesce($2::numeric, quantity), limit_price = coalesce($3::numeric, limit_price), stop_price = coalesce($4::numeric, stop_price),
            trail_reference = coalesce($5::numeric, trail_reference), updated_at = now() WHERE id = $1`,
    [
      a.id,
      a.quantity?.toFixed() ?? null,
      a.limitPrice?.toFixed() ?? null,
      a.stopPrice?.toFixed() ?? null,
      a.trailReference?.toFixed() ?? null,
    ],
  );
}

/** Records that the order is to be cancelled at its broker (the account's executor sends the cancel). */
export async function markCancelRequested(client: PoolClient, orderId: string): Promise<void> {
  await client.query(
    'UPDATE orders SET cancel_requested_at = now(), updated_at = now() WHERE id = $1 AND cancel_requested_at IS NULL',
    [orderId],
  );
}
