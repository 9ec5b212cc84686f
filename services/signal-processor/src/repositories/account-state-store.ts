import type { PoolClient } from 'pg';
import { Decimal } from '@utm/db';
import type { AccountRow, AccountState, OpenOrder, TradingState } from '../domain';

/** Statuses of orders still working (or about to be) at the broker. */
export const OPEN_ORDER_STATUSES = ['NEW', 'SUBMITTING', 'ACCEPTED', 'PARTIALLY_FILLED'];

const dec = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));

/**
 * Locks the account row for the rest of the transaction: decisions about one account are
 * taken by one transaction at a time, whatever the number of processor replicas.
 * FOR NO KEY UPDATE, not FOR UPDATE: the gateway's inserts of new signals check their
 * foreign key with FOR KEY SHARE, which this lock lets through, so ingest never waits on it.
 */
export async function lockAccount(client: PoolClient, accountId: string): Promise<AccountRow | null> {
  const { rows } = await client.query<{
    id: string;
    cash: string;
    trading_state: TradingState;
    allow_fractional: boolean;
    max_order_notional: string | null;
    max_position_quantity: string | null;
    allowed_symbols: string[] | null;
  }>({
    name: 'processor-lock-account',
    text: `SELECT id, cash::text, trading_state, allow_fractional, max_order_notional::text, max_position_quantity::text, allowed_symbols
           FROM accounts WHERE id = $1 FOR NO KEY UPDATE`,
    values: [accountId],
  });
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    cash: new Decimal(r.cash),
    tradingState: r.trading_state,
    allowFractional: r.allow_fractional,
    maxOrderNotional: dec(r.max_order_notional),
    maxPositionQuantity: dec(r.max_position_quantity),
    allowedSymbols: r.allowed_symbols ?? [],
  };
}

export interface PendingSignal {
  id: string;
  seq: bigint;
  symbol: string;
  request: unknown;
}

export interface LoadedState {
  target: { seq: bigint; status: string; accountId: string } | null;
  pending: PendingSignal[];
  state: AccountState;
}

interface StateRow {
  target: { seq: string; status: string; account_id: string } | null;
  pending: { id: string; seq: string; symbol: string; request: unknown }[];
  positions: { symbol: string; quantity: string; avgPrice: string }[];
  orders: { id: string; role: OpenOrder['role']; side: OpenOrder['side']; symbol: string; quantity: string; filled: string; priceBasis: string | null }[];
  quotes: { symbol: string; price: string }[];
}

// One round trip: the target signal, the account's pending signals in acceptance order,
// its positions, its open orders in sequence, and the quotes of every symbol involved.
// Decimals travel as text: exact.
const LOAD_STATE = `
WITH pending AS (
  SELECT id, seq, symbol, request FROM signals WHERE account_id = $1 AND status = 'PENDING' ORDER BY seq LIMIT $3
), pos AS (
  SELECT symbol, quantity, avg_price FROM positions WHERE account_id = $1
)
SELECT
  (SELECT json_build_object('seq', seq::text, 'status', status, 'account_id', account_id) FROM signals WHERE id = $2) AS target,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'seq', seq::text, 'symbol', symbol, 'request', request) ORDER BY seq), '[]') FROM pending) AS pending,
  (SELECT coalesce(json_agg(json_build_object('symbol', symbol, 'quantity', quantity::text, 'avgPrice', avg_price::text)), '[]') FROM pos) AS positions,
  (SELECT coalesce(json_agg(json_build_object('id', id, 'role', role, 'side', side, 'symbol', symbol, 'quantity', quantity::text,
                                              'filled', filled_quantity::text, 'priceBasis', price_basis::text) ORDER BY seq), '[]')
     FROM orders WHERE account_id = $1 AND status = ANY($4::"OrderStatus"[]) AND cancel_requested_at IS NULL) AS orders,
  (SELECT coalesce(json_agg(json_build_object('symbol', symbol, 'price', price::text)), '[]')
     FROM quotes WHERE symbol IN (SELECT symbol FROM pos UNION SELECT symbol FROM pending)) AS quotes`;

export async function loadState(client: PoolClient, account: AccountRow, targetSignalId: string, batch: number): Promise<LoadedState> {
  const { rows } = await client.query<StateRow>({ name: 'processor-load-state', text: LOAD_STATE, values: [account.id, targetSignalId, batch, OPEN_ORDER_STATUSES] });
  const r = rows[0];
  if (!r) throw new Error('state query returned no row');
  return {
    target: r.target ? { seq: BigInt(r.target.seq), status: r.target.status, accountId: r.target.account_id } : null,
    pending: r.pending.map((p) => ({ id: p.id, seq: BigInt(p.seq), symbol: p.symbol, request: p.request })),
    state: {
      account,
      positions: new Map(r.positions.map((p) => [p.symbol, { quantity: new Decimal(p.quantity), avgPrice: new Decimal(p.avgPrice) }])),
      quotes: new Map(r.quotes.map((q) => [q.symbol, new Decimal(q.price)])),
      openOrders: r.orders.map((o) => ({
        id: o.id,
        role: o.role,
        side: o.side,
        symbol: o.symbol,
        quantity: new Decimal(o.quantity),
        filledQuantity: new Decimal(o.filled),
        priceBasis: dec(o.priceBasis),
      })),
    },
  };
}
