import {
  OPEN_ORDER_STATUSES,
  SIGNAL_ORDER_ROLES,
  sqlList,
  type SignalStatus,
  UNPLACED_ORDER_STATUSES,
  WORKING_ORDER_STATUSES,
} from '@utm/contracts';
import type { PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import type { PaperAccount, PaperBook, PaperSignal, PaperWrites } from '../paper/placement';
import type { SignalOrderState } from '../domain/signal-status';
import type { ExecAccount } from './accounts';
import { ORDER_COLUMNS, toOrder, type ExecOrder } from './orders';

type OrderJson = Omit<
  Parameters<typeof toOrder>[0],
  'cancel_requested_at' | 'cancel_sent_at' | 'expires_at' | 'triggered_at'
> & {
  cancel_requested_at: string | null;
  cancel_sent_at: string | null;
  expires_at: string | null;
  triggered_at: string | null;
};

interface WorkRow {
  orders: OrderJson[];
  positions: { account_id: string; symbol: string; quantity: string; avgPrice: string }[];
  reserved: { account_id: string; id: string; reserved: string }[];
  quotes: { symbol: string; price: string }[];
  signals: {
    id: string;
    status: SignalStatus;
    receivedAt: string;
    orders: {
      id: string;
      status: SignalOrderState['status'];
      filled: string;
      errorCode: string | null;
      errorMessage: string | null;
    }[];
  }[];
}

// What the paper broker needs to work the locked accounts, in one round trip: each account's
// actionable orders in sequence (as actionableOrders, at most $2 each), its positions, the
// buying power its open entries hold, the quotes of every symbol involved, and each of those
// orders' signals with its status and its ENTRY/CLOSE orders in sequence. (The open statuses
// are written out, not a parameter, so that a generic plan uses the (account_id, status) index.)
const WORK = `
WITH acts AS (
  SELECT o.*, a.ord FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, ord) CROSS JOIN LATERAL (
    SELECT ${ORDER_COLUMNS}, seq AS n FROM orders
    WHERE account_id = a.id AND carried_by IS NULL AND (status IN (${sqlList(UNPLACED_ORDER_STATUSES)})
          OR (cancel_requested_at IS NOT NULL AND status IN (${sqlList(WORKING_ORDER_STATUSES)})))
    ORDER BY seq LIMIT $2) o
)
SELECT
  (SELECT coalesce(json_agg(to_jsonb(acts) - 'ord' - 'n' ORDER BY acts.ord, acts.n), '[]') FROM acts) AS orders,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'symbol', symbol, 'quantity', quantity::text, 'avgPrice', avg_price::text)), '[]')
     FROM positions WHERE account_id = ANY($1::uuid[])) AS positions,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'id', id, 'reserved', ((quantity - filled_quantity) * coalesce(price_basis, 0))::text)), '[]')
     FROM orders WHERE account_id = ANY($1::uuid[]) AND role = 'ENTRY' AND cancel_requested_at IS NULL AND status IN (${sqlList(OPEN_ORDER_STATUSES)})) AS reserved,
  (SELECT coalesce(json_agg(json_build_object('symbol', symbol, 'price', price::text)), '[]')
     FROM quotes WHERE symbol IN (SELECT symbol FROM positions WHERE account_id = ANY($1::uuid[]) UNION SELECT symbol FROM acts)) AS quotes,
  (SELECT coalesce(json_agg(json_build_object('id', s.id, 'status', s.status, 'receivedAt', s.received_at, 'orders',
            (SELECT coalesce(json_agg(json_build_object('id', x.id, 'status', x.status, 'filled', x.filled_quantity::text, 'errorCode', x.error_code, 'errorMessage', x.error_message) ORDER BY x.seq), '[]')
               FROM orders x WHERE x.signal_id = s.id AND x.role IN (${sqlList(SIGNAL_ORDER_ROLES)})))), '[]')
     FROM signals s WHERE s.id IN (SELECT signal_id FROM acts)) AS signals`;

const date = (v: string | null): Date | null => (v === null ? null : new Date(v));

export interface PaperWork {
  /** The actionable orders, in sequence within each account. */
  orders: ExecOrder[];
  book: PaperBook;
}

/** What the work query read, before it is joined with the accounts actually locked. */
export interface RawPaperWork {
  row: WorkRow;
}

/**
 * The accounts' actionable orders (at most `perAccount` each) and what the paper broker needs to
 * work them, in one round trip. It may be sent before the accounts' lock statement has answered
 * (pipelined behind it: Postgres runs them in order, and this one takes its snapshot once the
 * locks are held); paperWorkFor keeps only the accounts locked.
 */
export async function loadPaperWork(
  client: PoolClient,
  accountIds: string[],
  perAccount: number,
): Promise<RawPaperWork> {
  const { rows } = await client.query<WorkRow>({ name: 'paper-work', text: WORK, values: [accountIds, perAccount] });
  const r = rows[0];
  if (!r) throw new Error('paper work query returned no row');
  return { row: r };
}

/** The work and book of the locked accounts only (pure); their cash is the one read with the lock. */
export function paperWorkFor({ row: r }: RawPaperWork, locked: ExecAccount[]): PaperWork {
  const ids = new Set(locked.map((a) => a.id));
  const orders = r.orders
    .filter((o) => ids.has(o.account_id))
    .map((o) =>
      toOrder({
        ...o,
        cancel_requested_at: date(o.cancel_requested_at),
        cancel_sent_at: date(o.cancel_sent_at),
        expires_at: date(o.expires_at),
        triggered_at: date(o.triggered_at),
      }),
    );
  const book: PaperBook = {
    accounts: new Map(),
    quotes: new Map(r.quotes.map((q) => [q.symbol, new Decimal(q.price)])),
    signals: new Map(),
  };
  for (const a of locked)
    book.accounts.set(a.id, { cash: a.cash, positions: new Map(), reserved: new Map() } satisfies PaperAccount);
  for (const p of r.positions)
    book.accounts
      .get(p.account_id)
      ?.positions.set(p.symbol, { quantity: new Decimal(p.quantity), avgPrice: new Decimal(p.avgPrice) });
  for (const x of r.reserved) book.accounts.get(x.account_id)?.reserved.set(x.id, new Decimal(x.reserved));
  const signalIds = new Set(orders.map((o) => o.signalId));
  for (const s of r.signals) {
    if (!signalIds.has(s.id)) continue;
    const signalOrders = new Map(
      s.orders.map((o) => [
        o.id,
        {
          status: o.status,
          filledQuantity: new Decimal(o.filled),
          errorCode: o.errorCode,
          errorMessage: o.errorMessage,
        },
      ]),
    );
    book.signals.set(s.id, {
      status: s.status,
      receivedAt: new Date(s.receivedAt),
      orders: signalOrders,
    } satisfies PaperSignal);
  }
  return { orders, book };
}

// Everything a batch changed, in one statement. Each CTE touches its own rows (an order is
// updated once, a position written once), so the shared snapshot of a statement's CTEs
// cannot hide one change from another. Counts come back to be checked.
const WRITE = `
WITH ord AS (
  UPDATE orders o SET status = v.status, quantity = v.quantity, broker_order_id = v.broker_order_id, filled_quantity = v.filled, avg_fill_price = v.avg,
         expires_at = v.expires_at, triggered_at = v.triggered_at, stop_price = v.stop_price, trail_reference = v.trail_reference,
         error_code = v.error_code, error_message = v.error_message, updated_at = now()
  FROM unnest($1::uuid[], $2::"OrderStatus"[], $3::numeric[], $4::text[], $5::numeric[], $6::numeric[], $7::timestamptz[], $8::timestamptz[], $9::numeric[], $10::numeric[], $11::text[], $12::text[])
       AS v(id, status, quantity, broker_order_id, filled, avg, expires_at, triggered_at, stop_price, trail_reference, error_code, error_message)
  WHERE o.id = v.id RETURNING o.id
), fl AS (
  INSERT INTO fills (order_id, quantity, price, at, broker_fill_id)
  SELECT * FROM unnest($13::uuid[], $14::numeric[], $15::numeric[], $16::timestamptz[], $17::text[])
  ON CONFLICT (order_id, broker_fill_id) DO NOTHING RETURNING id
), legs AS (
  INSERT INTO orders (id, signal_id, account_id, parent_order_id, oco_group, role, symbol, side, type, quantity, limit_price, stop_price,
                      trail_percent, trail_amount, trail_reference, time_in_force, status, broker_order_id)
  SELECT l.id, l.signal_id, l.account_id, l.parent, l.parent, l.role, l.symbol, l.side, l.type, l.quantity, l.limit_price, l.stop_price,
         l.trail_percent, l.trail_amount, l.trail_reference, l.tif, 'ACCEPTED', 'paper-' || l.id
  FROM unnest($18::uuid[], $19::uuid[], $20::uuid[], $21::uuid[], $22::"OrderRole"[], $23::text[], $24::"OrderSide"[], $25::"OrderType"[], $26::numeric[], $27::numeric[],
              $28::numeric[], $29::numeric[], $30::numeric[], $31::numeric[], $32::"TimeInForce"[])
       WITH ORDINALITY AS l(id, signal_id, account_id, parent, role, symbol, side, type, quantity, limit_price, stop_price, trail_percent, trail_amount, trail_reference, tif, ord)
  ORDER BY l.ord
  RETURNING id
), pos AS (
  INSERT INTO positions (account_id, symbol, quantity, avg_price, updated_at)
  SELECT p.account_id, p.symbol, p.quantity, p.avg_price, now() FROM unnest($33::uuid[], $34::text[], $35::numeric[], $36::numeric[]) AS p(account_id, symbol, quantity, avg_price)
  WHERE p.quantity <> 0
  ON CONFLICT (account_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, avg_price = EXCLUDED.avg_price, updated_at = now()
), pos_gone AS (
  DELETE FROM positions x USING unnest($33::uuid[], $34::text[], $35::numeric[]) AS p(account_id, symbol, quantity)
  WHERE x.account_id = p.account_id AND x.symbol = p.symbol AND p.quantity = 0
), cash AS (
  UPDATE accounts a SET cash = a.cash + d.delta, updated_at = now() FROM unnest($37::uuid[], $38::numeric[]) AS d(id, delta) WHERE a.id = d.id
), sig AS (
  UPDATE signals s SET status = v.status, error_code = v.code, error_message = v.message, updated_at = now()
  FROM unnest($39::uuid[], $40::"SignalStatus"[], $41::text[], $42::text[]) AS v(id, status, code, message) WHERE s.id = v.id
), ev AS (
  INSERT INTO signal_events (signal_id, order_id, type, message)
  SELECT e.signal_id, e.order_id, e.type, e.message FROM unnest($43::uuid[], $44::uuid[], $45::text[], $46::text[]) WITH ORDINALITY AS e(signal_id, order_id, type, message, ord)
  ORDER BY e.ord
)
SELECT (SELECT count(*) FROM ord)::int AS orders, (SELECT count(*) FROM fl)::int AS fills, (SELECT count(*) FROM legs)::int AS legs`;

const text = (v: Decimal | null | undefined) => (v === null || v === undefined ? null : v.toFixed());

/** Writes what a paper batch did, in the caller's transaction (which holds the accounts' locks). */
export async function writePaperBatch(client: PoolClient, w: PaperWrites): Promise<void> {
  const orders = [...w.orders.values()];
  if (!orders.length && !w.events.length) return;
  const legs = w.legs;
  const positions = [...w.positions.values()];
  const cash = [...w.cashDelta];
  const signals = [...w.signals];
  const { rows } = await client.query<{ orders: number; fills: number; legs: number }>({
    name: 'paper-write-batch',
    text: WRITE,
    values: [
      orders.map((o) => o.id),
      orders.map((o) => o.status),
      orders.map((o) => o.quantity.toFixed()),
      orders.map((o) => o.brokerOrderId),
      orders.map((o) => o.filledQuantity.toFixed()),
      orders.map((o) => (o.avgFillPrice ? o.avgFillPrice.toDecimalPlaces(10).toFixed() : null)),
      orders.map((o) => o.expiresAt),
      orders.map((o) => o.triggeredAt),
      orders.map((o) => text(o.stopPrice)),
      orders.map((o) => text(o.trailReference)),
      orders.map((o) => o.errorCode ?? null),
      orders.map((o) => o.errorMessage ?? null),
      w.fills.map((f) => f.orderId),
      w.fills.map((f) => f.quantity.toFixed()),
      w.fills.map((f) => f.price.toFixed()),
      w.fills.map((f) => f.at),
      w.fills.map((f) => f.brokerFillId),
      legs.map((l) => l.id),
      legs.map((l) => l.entry.signalId),
      legs.map((l) => l.entry.accountId),
      legs.map((l) => l.entry.id),
      legs.map((l) => l.draft.role),
      legs.map((l) => l.entry.symbol),
      legs.map((l) => l.draft.side),
      legs.map((l) => l.draft.type),
      legs.map((l) => l.draft.quantity.toFixed()),
      legs.map((l) => text(l.draft.limitPrice)),
      legs.map((l) => text(l.draft.stopPrice)),
      legs.map((l) => text(l.draft.trailPercent)),
      legs.map((l) => text(l.draft.trailAmount)),
      legs.map((l) => text(l.draft.trailReference)),
      legs.map((l) => l.draft.timeInForce),
      positions.map((p) => p.accountId),
      positions.map((p) => p.symbol),
      positions.map((p) => p.quantity.toFixed()),
      positions.map((p) => p.avgPrice.toFixed()),
      cash.map(([id]) => id),
      cash.map(([, d]) => d.toFixed()),
      signals.map(([id]) => id),
      signals.map(([, s]) => s.status),
      signals.map(([, s]) => s.errorCode),
      signals.map(([, s]) => s.errorMessage),
      w.events.map((e) => e.signalId),
      w.events.map((e) => e.orderId),
      w.events.map((e) => e.type),
      w.events.map((e) => e.message),
    ],
  });
  const r = rows[0];
  // Under the accounts' locks nothing else changes these rows: a shortfall is a bug, and rolls the batch back.
  if (!r || r.orders !== orders.length || r.fills !== w.fills.length || r.legs !== legs.length) {
    throw new Error(
      `paper batch wrote ${r?.orders ?? 0}/${orders.length} orders, ${r?.fills ?? 0}/${w.fills.length} fills, ${r?.legs ?? 0}/${legs.length} legs`,
    );
  }
}
