import { SENT_ORDER_STATUSES, sqlList } from '@utm/contracts';
import type { Pool, PoolClient } from 'pg';
import { Decimal } from '@utm/db';

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

/** Those of `accountIds` that trade on the paper engine. */
export async function paperAccountsAmong(pool: Pool, accountIds: string[]): Promise<string[]> {
  const { rows } = await pool.query<{ id: string }>({
    name: 'executor-paper-accounts',
    text: `SELECT id FROM accounts WHERE id = ANY($1::uuid[]) AND broker = 'paper'`,
    values: [accountIds],
  });
  return rows.map((r) => r.id);
}

/** Accounts at external brokers with orders sent there and not ended (their update streams are wanted). */
export async function accountsWithOrdersAtBrokers(pool: Pool): Promise<string[]> {
  const { rows } = await pool.query<{ account_id: string }>(
    `SELECT DISTINCT o.account_id FROM orders o JOIN accounts a ON a.id = o.account_id
     WHERE a.broker <> 'paper' AND o.status IN (${sqlList(SENT_ORDER_STATUSES)})`,
  );
  return rows.map((r) => r.account_id);
}
