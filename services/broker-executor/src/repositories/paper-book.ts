import {
  EXIT_ROLES,
  OPEN_ORDER_STATUSES,
  SIGNAL_ORDER_ROLES,
  sqlList,
  type SignalStatus,
  UNPLACED_ORDER_STATUSES,
  WORKING_ORDER_STATUSES,
} from '@utm/contracts';
import type { PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import { reservationOf } from '@utm/trading';
import type { ExecOrder } from '../domain/order';
import type { SignalOrderState } from '../domain/signal-status';
import type { LegFamily, PaperAccount, PaperBook, PaperSignal } from '../venues/paper/book';
import type { ExecAccount } from './accounts';
import { ORDER_COLUMNS, toOrder } from './orders';

/**
 * What the paper broker needs to work locked accounts, read in one round trip: the orders to
 * work (`acts`: the actionable ones for the account executor, or the resting ones of a symbol
 * for the quote engine), each account's positions, the buying power its open entries hold,
 * the quotes of every symbol involved, the signals of those orders with their ENTRY/CLOSE
 * orders in sequence, and (for resting orders, which may fill into exit legs) the exit-leg
 * families they belong to. (Status lists are written out, not parameters, so that a generic
 * plan uses the partial indexes built on them.)
 */

type OrderJson = Omit<
  Parameters<typeof toOrder>[0],
  'cancel_requested_at' | 'cancel_sent_at' | 'expires_at' | 'triggered_at'
> & {
  cancel_requested_at: string | null;
  cancel_sent_at: string | null;
  expires_at: string | null;
  triggered_at: string | null;
};

interface BookRow {
  orders: OrderJson[];
  positions: { account_id: string; symbol: string; quantity: string; avgPrice: string }[];
  reserved: { account_id: string; id: string; remaining: string; basis: string | null }[];
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
  /** Entries and their exit legs, oldest first; absent for the actionable orders (they never fill into legs). */
  families?: OrderJson[];
}

const FAMILIES = `
, fam_ids AS (
  SELECT DISTINCT coalesce(parent_order_id, id) AS id FROM acts
  WHERE role IN (${sqlList(EXIT_ROLES)}) OR (role = 'ENTRY' AND filled_quantity::numeric > 0)
), fam AS (
  SELECT ${ORDER_COLUMNS}, seq AS n FROM orders WHERE id IN (SELECT id FROM fam_ids)
  UNION ALL
  SELECT ${ORDER_COLUMNS}, seq AS n FROM orders WHERE parent_order_id IN (SELECT id FROM fam_ids) AND parent_order_id IS NOT NULL
)`;

const book = (families: boolean) => `
SELECT
  (SELECT coalesce(json_agg(to_jsonb(acts) - 'ord' - 'n' ORDER BY acts.ord, acts.n), '[]') FROM acts) AS orders,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'symbol', symbol, 'quantity', quantity::text, 'avgPrice', avg_price::text)), '[]')
     FROM positions WHERE account_id = ANY($1::uuid[])) AS positions,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'id', id, 'remaining', (quantity - filled_quantity)::text, 'basis', price_basis::text)), '[]')
     FROM orders WHERE account_id = ANY($1::uuid[]) AND role = 'ENTRY' AND cancel_requested_at IS NULL AND status IN (${sqlList(OPEN_ORDER_STATUSES)})) AS reserved,
  (SELECT coalesce(json_agg(json_build_object('symbol', symbol, 'price', price::text)), '[]')
     FROM quotes WHERE symbol IN (SELECT symbol FROM positions WHERE account_id = ANY($1::uuid[]) UNION SELECT symbol FROM acts)) AS quotes,
  (SELECT coalesce(json_agg(json_build_object('id', s.id, 'status', s.status, 'receivedAt', s.received_at, 'orders',
            (SELECT coalesce(json_agg(json_build_object('id', x.id, 'status', x.status, 'filled', x.filled_quantity::text, 'errorCode', x.error_code, 'errorMessage', x.error_message) ORDER BY x.seq), '[]')
               FROM orders x WHERE x.signal_id = s.id AND x.role IN (${sqlList(SIGNAL_ORDER_ROLES)})))), '[]')
     FROM signals s WHERE s.id IN (SELECT signal_id FROM acts${families ? ' UNION SELECT signal_id FROM fam' : ''})) AS signals
  ${families ? `, (SELECT coalesce(json_agg(to_jsonb(fam) - 'n' ORDER BY fam.n), '[]') FROM fam) AS families` : ''}`;

// The account executor's work: each account's actionable orders in sequence (as
// actionableOrders, at most $2 each).
const WORK = `
WITH acts AS (
  SELECT o.*, a.ord FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, ord) CROSS JOIN LATERAL (
    SELECT ${ORDER_COLUMNS}, seq AS n FROM orders
    WHERE account_id = a.id AND carried_by IS NULL AND (status IN (${sqlList(UNPLACED_ORDER_STATUSES)})
          OR (cancel_requested_at IS NOT NULL AND status IN (${sqlList(WORKING_ORDER_STATUSES)})))
    ORDER BY seq LIMIT $2) o
)${book(false)}`;

// The quote engine's work: the accounts' orders resting in symbol $2, in time priority.
const RESTING = `
WITH acts AS (
  SELECT ${ORDER_COLUMNS}, 0 AS ord, seq AS n FROM orders
  WHERE symbol = $2 AND status IN (${sqlList(WORKING_ORDER_STATUSES)}) AND account_id = ANY($1::uuid[])
)${FAMILIES}${book(true)}`;

/** What a work query read, before it is joined with the accounts actually locked. */
export interface RawPaperWork {
  row: BookRow;
}

export interface PaperWork {
  /** The orders to work, in sequence within each account. */
  orders: ExecOrder[];
  book: PaperBook;
}

async function load(client: PoolClient, name: string, text: string, values: unknown[]): Promise<RawPaperWork> {
  const { rows } = await client.query<BookRow>({ name, text, values });
  const r = rows[0];
  if (!r) throw new Error(`${name} returned no row`);
  return { row: r };
}

/**
 * The accounts' actionable orders (at most `perAccount` each) and what the paper broker needs to
 * work them, in one round trip. It may be sent before the accounts' lock statement has answered
 * (pipelined behind it: Postgres runs them in order, and this one takes its snapshot once the
 * locks are held); paperWorkFor keeps only the accounts locked.
 */
export function loadPaperWork(client: PoolClient, accountIds: string[], perAccount: number): Promise<RawPaperWork> {
  return load(client, 'paper-work', WORK, [accountIds, perAccount]);
}

/** The accounts' orders resting in `symbol`, in time priority, and their book (as loadPaperWork). */
export function loadRestingWork(client: PoolClient, accountIds: string[], symbol: string): Promise<RawPaperWork> {
  return load(client, 'paper-resting-work', RESTING, [accountIds, symbol]);
}

const date = (v: string | null): Date | null => (v === null ? null : new Date(v));
const orderOf = (o: OrderJson): ExecOrder =>
  toOrder({
    ...o,
    cancel_requested_at: date(o.cancel_requested_at),
    cancel_sent_at: date(o.cancel_sent_at),
    expires_at: date(o.expires_at),
    triggered_at: date(o.triggered_at),
  });

/** The work and book of the locked accounts only (pure); their cash is the one read with the lock. */
export function paperWorkFor({ row: r }: RawPaperWork, locked: ExecAccount[]): PaperWork {
  const ids = new Set(locked.map((a) => a.id));
  const orders = r.orders.map(orderOf).filter((o) => ids.has(o.accountId));
  const book: PaperBook = {
    accounts: new Map(),
    quotes: new Map(r.quotes.map((q) => [q.symbol, new Decimal(q.price)])),
    signals: new Map(),
    families: new Map(),
  };
  for (const a of locked)
    book.accounts.set(a.id, { cash: a.cash, positions: new Map(), reserved: new Map() } satisfies PaperAccount);
  for (const p of r.positions)
    book.accounts
      .get(p.account_id)
      ?.positions.set(p.symbol, { quantity: new Decimal(p.quantity), avgPrice: new Decimal(p.avgPrice) });
  for (const x of r.reserved)
    book.accounts
      .get(x.account_id)
      ?.reserved.set(x.id, reservationOf(new Decimal(x.remaining), x.basis === null ? null : new Decimal(x.basis)));
  for (const o of (r.families ?? []).map(orderOf)) {
    if (!ids.has(o.accountId)) continue;
    const id = o.parentOrderId ?? o.id;
    const family: LegFamily = book.families.get(id) ?? { entry: o, legs: [] };
    if (o.parentOrderId) family.legs.push(o);
    else family.entry = o;
    book.families.set(id, family);
  }
  // Rows come oldest first, so an entry before its legs; a family without its entry is not kept.
  for (const [id, family] of book.families) if (family.entry.id !== id) book.families.delete(id);
  const signalIds = new Set([...orders, ...[...book.families.values()].map((f) => f.entry)].map((o) => o.signalId));
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
