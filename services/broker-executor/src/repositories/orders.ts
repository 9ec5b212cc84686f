import type { Pool, PoolClient } from 'pg';
import {
  EXIT_ROLES,
  OPEN_ORDER_STATUSES,
  orderTransition,
  SIGNAL_ORDER_ROLES,
  signalStatusesLeadingTo,
  sqlList,
  sqlValue,
  UNPLACED_ORDER_STATUSES,
  WORKING_ORDER_STATUSES,
  type EventType,
  type OrderJob,
  type ExitRules,
  type OrderRole,
  type OrderStatus,
  type OrderType,
} from '@utm/contracts';
import { Decimal } from '@utm/db';
import type { ExecOrder, ReplaceMethod } from '../domain/order';
import { signalOutcome, type SignalOrderState } from '../domain/signal-status';

type Db = Pool | PoolClient;
export type { OrderRole, OrderStatus, OrderType };

// The order model is the domain's (domain/order.ts); re-exported for the modules that read rows.
export type { ExecOrder, ReplaceMethod } from '../domain/order';

export const ORDER_COLUMNS = `id, seq::text, signal_id, account_id, parent_order_id, oco_group, role, symbol, side, type, quantity::text,
  limit_price::text, stop_price::text, trail_percent::text, trail_amount::text, trail_reference::text, time_in_force, status,
  filled_quantity::text, avg_fill_price::text, price_basis::text, exit_rules, broker_order_id, carried_by, cancel_requested_at, cancel_sent_at, expires_at, triggered_at, error_code, error_message, replaces, replace_method`;

interface OrderRow {
  id: string;
  seq: string;
  signal_id: string;
  account_id: string;
  parent_order_id: string | null;
  oco_group: string | null;
  role: OrderRole;
  symbol: string;
  side: 'BUY' | 'SELL';
  type: OrderType;
  quantity: string;
  limit_price: string | null;
  stop_price: string | null;
  trail_percent: string | null;
  trail_amount: string | null;
  trail_reference: string | null;
  time_in_force: ExecOrder['timeInForce'];
  status: OrderStatus;
  filled_quantity: string;
  avg_fill_price: string | null;
  price_basis: string | null;
  exit_rules: ExitRules | null;
  broker_order_id: string | null;
  carried_by: string | null;
  cancel_requested_at: Date | null;
  cancel_sent_at: Date | null;
  expires_at: Date | null;
  triggered_at: Date | null;
  error_code: string | null;
  error_message: string | null;
  replaces: string | null;
  replace_method: ReplaceMethod | null;
}

const dec = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));

export function toOrder(r: OrderRow): ExecOrder {
  return {
    id: r.id,
    seq: BigInt(r.seq),
    signalId: r.signal_id,
    accountId: r.account_id,
    parentOrderId: r.parent_order_id,
    ocoGroup: r.oco_group,
    role: r.role,
    symbol: r.symbol,
    side: r.side,
    type: r.type,
    quantity: new Decimal(r.quantity),
    limitPrice: dec(r.limit_price),
    stopPrice: dec(r.stop_price),
    trailPercent: dec(r.trail_percent),
    trailAmount: dec(r.trail_amount),
    trailReference: dec(r.trail_reference),
    timeInForce: r.time_in_force,
    status: r.status,
    filledQuantity: new Decimal(r.filled_quantity),
    avgFillPrice: dec(r.avg_fill_price),
    priceBasis: dec(r.price_basis),
    exitRules: r.exit_rules,
    brokerOrderId: r.broker_order_id,
    carriedBy: r.carried_by,
    cancelRequestedAt: r.cancel_requested_at,
    cancelSentAt: r.cancel_sent_at,
    expiresAt: r.expires_at,
    triggeredAt: r.triggered_at,
    errorCode: r.error_code,
    errorMessage: r.error_message,
    replaces: r.replaces,
    replaceMethod: r.replace_method,
  };
}

/** One order, locked for the rest of the transaction when `forUpdate`. */
/** The symbol of one of our orders (a venue that keys orders by symbol needs it to look one up). */
export async function orderSymbol(db: Db, id: string): Promise<string | null> {
  if (!UUID.test(id)) return null;
  const { rows } = await db.query<{ symbol: string }>({
    name: 'executor-order-symbol',
    text: 'SELECT symbol FROM orders WHERE id = $1',
    values: [id],
  });
  return rows[0]?.symbol ?? null;
}

export async function loadOrder(db: Db, id: string, forUpdate = false): Promise<ExecOrder | null> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return rows[0] ? toOrder(rows[0]) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The order a broker's update is about: by our id (the client order id), else by the
 * broker's id (a native OCO's leg carries a client order id the broker made up).
 */
export async function loadOrderFor(
  db: Db,
  clientOrderId: string,
  brokerOrderId: string,
  forUpdate = false,
): Promise<ExecOrder | null> {
  const byOurs = UUID.test(clientOrderId) ? await loadOrder(db, clientOrderId, forUpdate) : null;
  if (byOurs) return byOurs;
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE broker_order_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [brokerOrderId],
  );
  return rows[0] ? toOrder(rows[0]) : null;
}

/** The orders that travel to the broker as legs of `carrierId`. */
export async function carriedOrders(db: Db, carrierId: string): Promise<ExecOrder[]> {
  const { rows } = await db.query<OrderRow>(
    `SELECT ${ORDER_COLUMNS} FROM orders WHERE carried_by = $1 ORDER BY seq FOR UPDATE`,
    [carrierId],
  );
  return rows.map(toOrder);
}

/**
 * What the account's executor has to do, in sequence: cancels asked for (by a close or
 * reverse) and not yet taken by the broker, orders still to place (NEW), orders whose placement
 * may or may not have reached the broker (SUBMITTING: a crash or timeout in between). A resized
 * leg waits NEW until what it replaces allows: a replace request needs the old order confirmed
 * at the broker; a cancel-first replacement needs the old order (and, for an OCO pair, every old
 * leg) ended.
 *
 * At an external broker a position's shares are held by the orders working on them until those
 * end, so a NEW order also waits (it is not sent, and is worked again when the order it waits for
 * ends: BrokerVenue) while an earlier order of the account in the same symbol
 * - has a cancel asked for that is not final (a close waits for its exits' cancels);
 * - is a CLOSE, for an ENTRY (a reverse opens once its close has filled);
 * and, where the venue refuses an order opposite a working one (`oppositeRefused`, Alpaca's
 * wash-trade rule), an exit leg waits while an entry on the other side works (its own entry
 * filling in parts: the legs go out once it is complete or ended).
 */
export async function actionableOrders(
  db: Db,
  accountId: string,
  limit = 50,
  oppositeRefused = false,
): Promise<ExecOrder[]> {
  const { rows } = await db.query<OrderRow>({
    name: 'executor-actionable',
    text: `SELECT ${ORDER_COLUMNS} FROM orders o
           WHERE account_id = $1 AND carried_by IS NULL AND (status = ${sqlValue('SUBMITTING')}
                 OR (status = ${sqlValue('NEW')} AND (cancel_requested_at IS NOT NULL OR (NOT EXISTS (
                       SELECT 1 FROM orders r JOIN orders old ON old.id = r.replaces
                       WHERE (r.id = o.id OR r.carried_by = o.id)
                         AND old.status IN (${sqlList(OPEN_ORDER_STATUSES)})
                         AND (r.replace_method = 'CANCEL_FIRST' OR old.status IN (${sqlList(UNPLACED_ORDER_STATUSES)})))
                     AND NOT EXISTS (
                       SELECT 1 FROM orders w
                       WHERE w.account_id = o.account_id AND w.symbol = o.symbol AND w.seq < o.seq AND w.id <> o.id
                         AND w.status IN (${sqlList(OPEN_ORDER_STATUSES)})
                         AND (w.cancel_requested_at IS NOT NULL
                              OR (o.role = ${sqlValue('ENTRY')} AND w.role = ${sqlValue('CLOSE')})
                              OR ($3 AND o.role IN (${sqlList(EXIT_ROLES)})
                                  AND w.role = ${sqlValue('ENTRY')} AND w.side <> o.side))))))
                 OR (cancel_requested_at IS NOT NULL AND cancel_sent_at IS NULL AND status IN (${sqlList(WORKING_ORDER_STATUSES)})))
           ORDER BY seq LIMIT $2`,
    values: [accountId, limit, oppositeRefused],
  });
  return rows.map(toOrder);
}

export interface OrderChange {
  status?: OrderStatus;
  brokerOrderId?: string | null;
  quantity?: Decimal;
  limitPrice?: Decimal | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  stopPrice?: Decimal | null;
  trailReference?: Decimal | null;
  expiresAt?: Date | null;
  triggeredAt?: Date | null;
}

/** Updates an order and records why, as an event on its signal: one statement. */
export async function updateOrder(
  db: Db,
  order: ExecOrder,
  change: OrderChange,
  event: { type: EventType; message: string } | null,
): Promise<void> {
  const sets: string[] = ['updated_at = now()'];
  const values: unknown[] = [order.id];
  const set = (column: string, value: unknown, cast = '') => {
    values.push(value);
    sets.push(`${column} = $${values.length}${cast}`);
  };
  if (change.status !== undefined)
    set('status', orderTransition(order.status, change.status, order.id), '::"OrderStatus"');
  if (change.brokerOrderId !== undefined) set('broker_order_id', change.brokerOrderId);
  if (change.quantity !== undefined) set('quantity', change.quantity.toFixed(), '::numeric');
  if (change.limitPrice !== undefined) set('limit_price', change.limitPrice?.toFixed() ?? null, '::numeric');
  if (change.errorCode !== undefined) set('error_code', change.errorCode);
  if (change.errorMessage !== undefined) set('error_message', change.errorMessage);
  if (change.stopPrice !== undefined) set('stop_price', change.stopPrice?.toFixed() ?? null, '::numeric');
  if (change.trailReference !== undefined)
    set('trail_reference', change.trailReference?.toFixed() ?? null, '::numeric');
  if (change.expiresAt !== undefined) set('expires_at', change.expiresAt);
  if (change.triggeredAt !== undefined) set('triggered_at', change.triggeredAt);
  const update = `UPDATE orders SET ${sets.join(', ')} WHERE id = $1`;
  if (!event) {
    await db.query(update, values);
    return;
  }
  values.push(order.signalId, event.type, event.message);
  const n = values.length;
  await db.query(
    `WITH u AS (${update} RETURNING id) INSERT INTO signal_events (signal_id, order_id, type, message) SELECT $${n - 2}, u.id, $${n - 1}, $${n} FROM u`,
    values,
  );
}

export async function addEvent(
  db: Db,
  signalId: string,
  orderId: string | null,
  type: EventType,
  message: string,
): Promise<void> {
  await db.query({
    name: 'executor-event',
    text: 'INSERT INTO signal_events (signal_id, order_id, type, message) VALUES ($1, $2, $3, $4)',
    values: [signalId, orderId, type, message],
  });
}

/**
 * Recomputes the signal's status from its ENTRY and CLOSE orders and records the transition.
 * Call inside the transaction that changed one of them.
 */
export async function refreshSignal(db: Db, signalId: string): Promise<void> {
  const { rows } = await db.query<{
    status: OrderStatus;
    filled_quantity: string;
    error_code: string | null;
    error_message: string | null;
  }>({
    name: 'executor-signal-orders',
    text: `SELECT status, filled_quantity::text, error_code, error_message FROM orders WHERE signal_id = $1 AND role IN (${sqlList(SIGNAL_ORDER_ROLES)}) ORDER BY seq`,
    values: [signalId],
  });
  await setSignalOutcome(
    db,
    signalId,
    rows.map((r) => ({
      status: r.status,
      filledQuantity: new Decimal(r.filled_quantity),
      errorCode: r.error_code,
      errorMessage: r.error_message,
    })),
  );
}

/** Writes the status that the signal's ENTRY/CLOSE order states give, with its event: one statement. */
export async function setSignalOutcome(db: Db, signalId: string, orders: SignalOrderState[]): Promise<void> {
  const outcome = signalOutcome(orders);
  if (!outcome) return;
  const why = outcome.errorCode ? `: ${outcome.errorCode}: ${outcome.errorMessage ?? ''}` : '';
  await db.query({
    name: 'executor-signal-status',
    text: `WITH u AS (
             UPDATE signals SET status = $2::"SignalStatus", error_code = $3, error_message = $4, updated_at = now()
             WHERE id = $1 AND status <> $2::"SignalStatus" AND status = ANY($6::"SignalStatus"[]) RETURNING id)
           INSERT INTO signal_events (signal_id, type, message) SELECT id, $2, $5 FROM u`,
    values: [
      signalId,
      outcome.status,
      outcome.errorCode,
      outcome.errorMessage,
      `Signal ${outcome.status}${why}`,
      signalStatusesLeadingTo(outcome.status),
    ],
  });
}

/** Never sent anywhere: cancelled here (a close or reverse asked for it). */
export async function cancelUnsent(c: Db, order: ExecOrder): Promise<void> {
  await updateOrder(
    c,
    order,
    { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: 'cancelled before it was placed' },
    { type: 'ORDER_CANCELLED', message: 'Cancelled before it was placed (a close or reverse asked for it)' },
  );
}

/** Jobs that ask for `accountId` to be worked for these orders (each with its signal). */
export async function orderJobsFor(db: Db, accountId: string, orderIds: string[]): Promise<OrderJob[]> {
  const { rows } = await db.query<{ id: string; signal_id: string }>({
    name: 'executor-order-jobs',
    text: 'SELECT id, signal_id FROM orders WHERE id = ANY($1::uuid[])',
    values: [orderIds],
  });
  return rows.map((r) => ({ orderId: r.id, accountId, signalId: r.signal_id }));
}
