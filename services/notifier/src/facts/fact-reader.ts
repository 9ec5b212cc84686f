import type { PoolClient } from 'pg';
import { factTypesOf, type FactSource } from './fact-events';

/** One recorded fact with its owner: what the producer turns into deliveries. */
export interface Fact {
  source: FactSource;
  id: bigint;
  txId: bigint;
  type: string;
  at: Date;
  message: string;
  userId: string;
  accountId: string;
  signalId: string | null;
  orderId: string | null;
}

export interface Cursor {
  txId: bigint;
  factId: bigint;
}

interface Row {
  id: string;
  tx_id: string;
  type: string;
  at: Date;
  message: string;
  user_id: string;
  account_id: string;
  signal_id: string | null;
  order_id: string | null;
}

const SELECTS: Record<FactSource, string> = {
  signal_events: `SELECT e.id::text, e.tx_id::text, e.type, e.at, e.message, s.user_id, s.account_id, e.signal_id, e.order_id
    FROM signal_events e JOIN signals s ON s.id = e.signal_id`,
  account_events: `SELECT e.id::text, e.tx_id::text, e.type, e.at, e.message, a.user_id, e.account_id, NULL::uuid AS signal_id, NULL::uuid AS order_id
    FROM account_events e JOIN accounts a ON a.id = e.account_id`,
};

/**
 * The oldest transaction still running anywhere on the server (its id, as the fact rows store
 * it). Every transaction below it has ended: its facts are visible now, or never will be.
 */
export async function horizon(c: PoolClient): Promise<bigint> {
  const { rows } = await c.query<{ xmin: string }>({
    name: 'notifier-horizon',
    text: 'SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint::text AS xmin',
  });
  return BigInt(rows[0]?.xmin ?? '0');
}

/**
 * Facts of `source` that the rules know, after `cursor` and below `below` (a horizon), in
 * (transaction, id) order: that order never changes once a transaction is below the horizon,
 * so a cursor over it skips nothing and repeats nothing.
 */
export async function factsAfter(
  c: PoolClient,
  source: FactSource,
  cursor: Cursor,
  below: bigint,
  limit: number,
): Promise<Fact[]> {
  const { rows } = await c.query<Row>({
    name: `notifier-facts-${source}`,
    text: `${SELECTS[source]}
      WHERE (e.tx_id, e.id) > ($1::bigint, $2::bigint) AND e.tx_id < $3::bigint AND e.type = ANY($4::text[])
      ORDER BY e.tx_id, e.id LIMIT $5`,
    values: [cursor.txId.toString(), cursor.factId.toString(), below.toString(), factTypesOf(source), limit],
  });
  return rows.map((r) => ({
    source,
    id: BigInt(r.id),
    txId: BigInt(r.tx_id),
    type: r.type,
    at: r.at,
    message: r.message,
    userId: r.user_id,
    accountId: r.account_id,
    signalId: r.signal_id,
    orderId: r.order_id,
  }));
}

/** Creates the sources' cursors at the start (facts written before the migration have no tx_id and are never read). */
export async function ensureCursors(q: Pick<PoolClient, 'query'>, sources: readonly FactSource[]): Promise<void> {
  await q.query(
    'INSERT INTO notifier_cursors (source, tx_id, fact_id) SELECT unnest($1::text[]), 0, 0 ON CONFLICT (source) DO NOTHING',
    [sources],
  );
}

/** Locks the source's cursor (SKIP LOCKED: null while another replica is producing from it). */
export async function lockCursor(c: PoolClient, source: FactSource): Promise<Cursor | null> {
  const { rows } = await c.query<{ tx_id: string; fact_id: string }>({
    name: 'notifier-cursor-lock',
    text: 'SELECT tx_id::text, fact_id::text FROM notifier_cursors WHERE source = $1 FOR UPDATE SKIP LOCKED',
    values: [source],
  });
  const r = rows[0];
  return r ? { txId: BigInt(r.tx_id), factId: BigInt(r.fact_id) } : null;
}

export async function saveCursor(c: PoolClient, source: FactSource, cursor: Cursor): Promise<void> {
  await c.query({
    name: 'notifier-cursor-save',
    text: 'UPDATE notifier_cursors SET tx_id = $2, fact_id = $3, updated_at = now() WHERE source = $1',
    values: [source, cursor.txId.toString(), cursor.factId.toString()],
  });
}
