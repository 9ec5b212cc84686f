import type { Pool, PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import { applyFillToPosition, averageFill, cashAfterFill } from '../domain/positions';
import type { ExecOrder } from './orders';

type Db = Pool | PoolClient;

export interface ExecAccount {
  id: string;
  mode: 'PAPER' | 'LIVE';
  broker: 'paper' | 'alpaca' | 'ccxt';
  /** ccxt accounts: the ccxt exchange id. */
  exchange: string | null;
  cash: Decimal;
  brokerCredentials: Buffer | null;
}

interface AccountRow {
  id: string;
  mode: 'PAPER' | 'LIVE';
  broker: 'paper' | 'alpaca' | 'ccxt';
  exchange: string | null;
  cash: string;
  broker_credentials: Buffer | null;
}

const toAccount = (r: AccountRow): ExecAccount => ({
  id: r.id,
  mode: r.mode,
  broker: r.broker,
  exchange: r.exchange,
  cash: new Decimal(r.cash),
  brokerCredentials: r.broker_credentials,
});

export async function loadAccount(db: Db, accountId: string): Promise<ExecAccount | null> {
  const { rows } = await db.query<AccountRow>(
    'SELECT id, mode, broker, exchange, cash::text, broker_credentials FROM accounts WHERE id = $1',
    [accountId],
  );
  return rows[0] ? toAccount(rows[0]) : null;
}

/**
 * The account row lock for changing cash and positions (FOR NO KEY UPDATE: the processor
 * decides under the same lock, so a decision and a fill never interleave; the gateway's
 * inserts pass).
 */
export async function lockAccountRow(client: PoolClient, accountId: string): Promise<ExecAccount> {
  const { rows } = await client.query<AccountRow>(
    'SELECT id, mode, broker, exchange, cash::text, broker_credentials FROM accounts WHERE id = $1 FOR NO KEY UPDATE',
    [accountId],
  );
  if (!rows[0]) throw new Error(`account ${accountId} not found`);
  return toAccount(rows[0]);
}

/**
 * The row locks of several accounts (as lockAccountRow), taken in id order like every
 * transaction that locks more than one account (the processor's too): two such transactions
 * never wait on each other in a cycle. Returns the accounts locked: with `skipLocked`, those
 * another transaction holds are left out instead of waited for.
 */
export async function lockAccountRows(
  client: PoolClient,
  accountIds: string[],
  skipLocked = false,
): Promise<ExecAccount[]> {
  const { rows } = await client.query<AccountRow>({
    name: skipLocked ? 'executor-lock-accounts-skip' : 'executor-lock-accounts',
    text: `SELECT id, mode, broker, exchange, cash::text, broker_credentials FROM accounts WHERE id = ANY($1::uuid[]) ORDER BY id FOR NO KEY UPDATE${skipLocked ? ' SKIP LOCKED' : ''}`,
    values: [accountIds],
  });
  return rows.map(toAccount);
}

/**
 * Serialises the executors of one account across replicas for as long as the returned
 * release is not called: orders of an account reach the broker one at a time, in sequence.
 * A session-level advisory lock on its own connection, so no row stays locked meanwhile
 * (the processor and fills go on).
 */
export async function acquireExecutionLock(
  pool: Pool,
  accountId: string,
  timeoutMs: number,
): Promise<{ client: PoolClient; release(): Promise<void> }> {
  const client = await pool.connect();
  try {
    await client.query(`SET lock_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
    await client.query("SELECT pg_advisory_lock(hashtextextended('utm-exec:' || $1, 0))", [accountId]);
  } catch (err) {
    client.release(true);
    throw err;
  }
  return {
    client,
    async release() {
      try {
        await client.query("SELECT pg_advisory_unlock(hashtextextended('utm-exec:' || $1, 0))", [accountId]);
        await client.query('RESET lock_timeout');
        client.release();
      } catch {
        // The session is gone or broken; dropping the connection releases the lock.
        client.release(true);
      }
    },
  };
}

export async function quoteOf(db: Db, symbol: string): Promise<Decimal | null> {
  const { rows } = await db.query<{ price: string }>({
    name: 'executor-quote',
    text: 'SELECT price::text FROM quotes WHERE symbol = $1',
    values: [symbol],
  });
  return rows[0] ? new Decimal(rows[0].price) : null;
}

export async function positionOf(
  db: Db,
  accountId: string,
  symbol: string,
): Promise<{ quantity: Decimal; avgPrice: Decimal } | null> {
  const { rows } = await db.query<{ quantity: string; avg_price: string }>({
    name: 'executor-position',
    text: 'SELECT quantity::text, avg_price::text FROM positions WHERE account_id = $1 AND symbol = $2',
    values: [accountId, symbol],
  });
  return rows[0] ? { quantity: new Decimal(rows[0].quantity), avgPrice: new Decimal(rows[0].avg_price) } : null;
}

export interface FillInput {
  /** The broker's execution id (replays are recorded once). */
  id: string;
  quantity: Decimal;
  price: Decimal;
  at: Date;
}

// One statement: the fill (recorded once per execution id), and only if it is new, the order's
// filled quantity, average and status, its event, the position (upsert, or delete at zero)
// and cash (a delta: no read needed).
const RECORD_FILL = `
WITH f AS (
  INSERT INTO fills (order_id, quantity, price, at, broker_fill_id) VALUES ($1, $2::numeric, $3::numeric, $4, $5)
  ON CONFLICT (order_id, broker_fill_id) DO NOTHING RETURNING id
), o AS (
  UPDATE orders SET filled_quantity = $6::numeric, avg_fill_price = $7::numeric, status = $8::"OrderStatus", updated_at = now()
  WHERE id = $1 AND EXISTS (SELECT 1 FROM f) RETURNING id
), e AS (
  INSERT INTO signal_events (signal_id, order_id, type, message) SELECT $9, id, $10, $11 FROM o
), p AS (
  INSERT INTO positions (account_id, symbol, quantity, avg_price, updated_at)
  SELECT $12, $13, $14::numeric, $15::numeric, now() WHERE EXISTS (SELECT 1 FROM f) AND $14::numeric <> 0
  ON CONFLICT (account_id, symbol) DO UPDATE SET quantity = EXCLUDED.quantity, avg_price = EXCLUDED.avg_price, updated_at = now()
), d AS (
  DELETE FROM positions WHERE account_id = $12 AND symbol = $13 AND $14::numeric = 0 AND EXISTS (SELECT 1 FROM f)
), c AS (
  UPDATE accounts SET cash = cash + $16::numeric, updated_at = now() WHERE id = $12 AND EXISTS (SELECT 1 FROM f)
)
SELECT count(*)::int AS inserted FROM f`;

/**
 * Records one execution of `order` with its effect on the order (filled quantity, average
 * price, status), the position and cash, in the caller's transaction, which must hold the
 * account row lock. `position` is the current position when the caller has just read it
 * (else it is read here). Returns the order as it now stands, or null when this execution
 * was already recorded.
 */
export async function recordFill(
  client: PoolClient,
  order: ExecOrder,
  fill: FillInput,
  position?: { quantity: Decimal; avgPrice: Decimal } | null,
): Promise<ExecOrder | null> {
  const current = position === undefined ? await positionOf(client, order.accountId, order.symbol) : position;
  const filled = order.filledQuantity.plus(fill.quantity);
  const avg = averageFill(order.filledQuantity, order.avgFillPrice, fill.quantity, fill.price);
  const status = filled.gte(order.quantity) ? 'FILLED' : 'PARTIALLY_FILLED';
  const after = applyFillToPosition(current, order.side, fill.quantity, fill.price);
  const cashDelta = cashAfterFill(new Decimal(0), order.side, fill.quantity, fill.price);
  const { rows } = await client.query<{ inserted: number }>({
    name: 'executor-record-fill',
    text: RECORD_FILL,
    values: [
      order.id,
      fill.quantity.toFixed(),
      fill.price.toFixed(),
      fill.at,
      fill.id,
      filled.toFixed(),
      avg.toDecimalPlaces(10).toFixed(),
      status,
      order.signalId,
      status === 'FILLED' ? 'ORDER_FILLED' : 'ORDER_PARTIALLY_FILLED',
      `${order.role} ${order.side} ${fill.quantity.toFixed()} ${order.symbol} @ ${fill.price.toFixed()} (${filled.toFixed()} of ${order.quantity.toFixed()} filled)`,
      order.accountId,
      order.symbol,
      after.quantity.toFixed(),
      after.avgPrice.toDecimalPlaces(10).toFixed(),
      cashDelta.toDecimalPlaces(10).toFixed(),
    ],
  });
  if (!rows[0]?.inserted) return null;
  return { ...order, filledQuantity: filled, avgFillPrice: avg, status };
}
