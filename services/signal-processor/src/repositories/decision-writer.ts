import type { Pool, PoolClient } from 'pg';
import { sqlList, sqlValue, type EventType, type ExitRules } from '@utm/contracts';
import { qty, type Decision, type OrderDraft } from '../domain';

function describe(o: OrderDraft, symbol: string): string {
  const price =
    o.type === 'LIMIT'
      ? ` @ ${o.limitPrice?.toFixed()}`
      : o.type === 'STOP'
        ? ` stop ${o.stopPrice?.toFixed()}`
        : o.type === 'STOP_LIMIT'
          ? ` stop ${o.stopPrice?.toFixed()} limit ${o.limitPrice?.toFixed()}`
          : '';
  return `${o.role} ${o.side} ${qty(o.quantity)} ${symbol} ${o.type}${price} ${o.timeInForce}`;
}

// One statement for every decision of a batch: cancel requests, the orders (in decision order,
// so a reverse's close precedes its entry in seq), each signal's status, one event per step.
// The statement's CTEs share one snapshot: an UPDATE here cannot see the rows its sibling
// INSERT adds, so an order created and asked to cancel in the same batch would be inserted with
// its cancel request already set (the `cancelled` column), never left to the UPDATE. (Decisions
// no longer do that: a signal waits behind its symbol's unplaced orders, settlement.ts; the
// statement stays correct should one ever.)
const WRITE_DECISIONS = `
WITH cancelled AS (
  UPDATE orders SET cancel_requested_at = now(), updated_at = now()
  WHERE id = ANY($1::uuid[]) AND cancel_requested_at IS NULL RETURNING id
), created AS (
  INSERT INTO orders (id, signal_id, account_id, role, symbol, side, type, quantity, limit_price, stop_price, time_in_force, price_basis, exit_rules, cancel_requested_at)
  SELECT o.id, o.signal_id, o.account_id, o.role, o.symbol, o.side, o.type, o.quantity, o.limit_price, o.stop_price, o.tif, o.price_basis, o.exit_rules::jsonb,
         CASE WHEN o.cancelled THEN now() END
  FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::"OrderRole"[], $6::text[], $7::"OrderSide"[], $8::"OrderType"[], $9::numeric[], $10::numeric[], $11::numeric[],
              $12::"TimeInForce"[], $13::numeric[], $14::text[], $15::boolean[])
       WITH ORDINALITY AS o(id, signal_id, account_id, role, symbol, side, type, quantity, limit_price, stop_price, tif, price_basis, exit_rules, cancelled, ord)
  ORDER BY o.ord
  RETURNING id
), decided AS (
  UPDATE signals s SET status = d.status, error_code = d.code, error_message = d.message, applied_action = d.applied, updated_at = now()
  FROM unnest($16::uuid[], $17::"SignalStatus"[], $18::text[], $19::text[], $20::"SignalAction"[]) AS d(id, status, code, message, applied)
  WHERE s.id = d.id AND s.status = ${sqlValue('PENDING')} RETURNING s.id
), events AS (
  INSERT INTO signal_events (signal_id, order_id, type, message)
  SELECT e.signal_id, e.order_id, e.type, e.message FROM unnest($21::uuid[], $22::uuid[], $23::text[], $24::text[]) WITH ORDINALITY AS e(signal_id, order_id, type, message, ord)
  ORDER BY e.ord
)
SELECT (SELECT count(*) FROM decided)::int AS updated`;

export interface SignalRef {
  id: string;
  accountId: string;
  symbol: string;
}

/** A signal left PENDING to wait for earlier orders: recorded once, with what it waits for. */
export interface Deferral {
  signalId: string;
  orderId: string;
  message: string;
}

export interface DecisionToWrite {
  signal: SignalRef;
  decision: Decision;
  orders: { id: string; draft: OrderDraft }[];
}

interface EventRow {
  signalId: string;
  orderId: string | null;
  type: EventType;
  message: string;
}

function eventsOf({ signal, decision, orders }: DecisionToWrite): EventRow[] {
  const ev = (orderId: string | null, type: EventType, message: string): EventRow => ({
    signalId: signal.id,
    orderId,
    type,
    message,
  });
  const events = [ev(null, 'PROCESSING', 'Processing started')];
  if (decision.kind === 'reject') return [...events, ev(null, 'REJECTED', `${decision.code}: ${decision.message}`)];
  for (const id of decision.cancelOrderIds) events.push(ev(id, 'CANCEL_REQUESTED', `Cancel requested for order ${id}`));
  for (const note of decision.notes) events.push(ev(null, 'NOTE', note));
  for (const { id, draft } of orders) events.push(ev(id, 'ORDER_CREATED', describe(draft, signal.symbol)));
  return events;
}

/**
 * Writes a batch's decisions (in the order taken) inside the accounts' transaction, in one
 * statement: each signal PENDING → PROCESSING, then REJECTED with its code, or left PROCESSING
 * with its orders NEW, with the action it was applied as; an event per transition and order. Throws unless every signal was
 * still PENDING (the transaction then rolls back: nothing is half-decided).
 */
export async function writeDecisions(
  client: PoolClient,
  batch: DecisionToWrite[],
  deferrals: Deferral[] = [],
): Promise<void> {
  if (!batch.length && !deferrals.length) return;
  const cancelIds = new Set(batch.flatMap((b) => (b.decision.kind === 'accept' ? b.decision.cancelOrderIds : [])));
  const orders = batch.flatMap((b) => b.orders.map((o) => ({ ...o, signal: b.signal })));
  const d = orders.map((o) => o.draft);
  const events = [
    ...batch.flatMap(eventsOf),
    ...deferrals.map((d): EventRow => ({
      signalId: d.signalId,
      orderId: d.orderId,
      type: 'DEFERRED',
      message: d.message,
    })),
  ];
  const text = (v: { toFixed(): string } | null) => (v === null ? null : v.toFixed());
  const createdIds = new Set(orders.map((o) => o.id));
  const { rows } = await client.query<{ updated: number }>({
    name: 'processor-write-decisions',
    text: WRITE_DECISIONS,
    values: [
      [...cancelIds].filter((id) => !createdIds.has(id)),
      orders.map((o) => o.id),
      orders.map((o) => o.signal.id),
      orders.map((o) => o.signal.accountId),
      d.map((o) => o.role),
      orders.map((o) => o.signal.symbol),
      d.map((o) => o.side),
      d.map((o) => o.type),
      d.map((o) => o.quantity.toFixed()),
      d.map((o) => text(o.limitPrice)),
      d.map((o) => text(o.stopPrice)),
      d.map((o) => o.timeInForce),
      d.map((o) => text(o.priceBasis)),
      d.map((o) => (o.exitRules === null ? null : JSON.stringify(o.exitRules satisfies ExitRules))),
      orders.map((o) => cancelIds.has(o.id)),
      batch.map((b) => b.signal.id),
      batch.map((b) => (b.decision.kind === 'reject' ? 'REJECTED' : 'PROCESSING')),
      batch.map((b) => (b.decision.kind === 'reject' ? b.decision.code : null)),
      batch.map((b) => (b.decision.kind === 'reject' ? b.decision.message : null)),
      batch.map((b) => b.decision.appliedAction ?? null),
      events.map((e) => e.signalId),
      events.map((e) => e.orderId),
      events.map((e) => e.type),
      events.map((e) => e.message),
    ],
  });
  if (rows[0]?.updated !== batch.length)
    throw new Error(
      `${batch.length - (rows[0]?.updated ?? 0)} of ${batch.length} signals were not PENDING when their decisions were written`,
    );
}

const FAIL_SIGNAL = `
WITH failed AS (
  UPDATE signals SET status = ${sqlValue('FAILED')}, error_code = $2, error_message = $3, updated_at = now()
  WHERE id = $1 AND status IN (${sqlList(['PENDING', 'PROCESSING'])}) AND NOT EXISTS (SELECT 1 FROM orders WHERE signal_id = $1)
  RETURNING id
)
INSERT INTO signal_events (signal_id, type, message) SELECT id, 'FAILED', $2 || ': ' || $3 FROM failed RETURNING signal_id`;

/** Ends a signal as FAILED (retries exhausted, unreadable request), unless it already has orders. */
export async function failSignal(
  db: Pool | PoolClient,
  signalId: string,
  code: string,
  message: string,
): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'processor-fail-signal',
    text: FAIL_SIGNAL,
    values: [signalId, code, message],
  });
  return (rowCount ?? 0) > 0;
}
