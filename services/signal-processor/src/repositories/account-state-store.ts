import { OPEN_ORDER_STATUSES, sqlList, sqlValue } from '@utm/contracts';
import type { PoolClient } from 'pg';
import { Decimal, toInstrumentRules, type InstrumentRules } from '@utm/db';
import type { VenueKind } from '@utm/trading';
import { instrumentKey, type AccountRow, type AccountState, type OpenOrder, type TradingState } from '../domain';

const dec = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));

interface AccountDbRow {
  id: string;
  broker: VenueKind;
  exchange: string | null;
  cash: string;
  trading_state: TradingState;
  allow_fractional: boolean;
  max_order_notional: string | null;
  max_position_quantity: string | null;
  allowed_symbols: string[] | null;
  max_signal_age_seconds: number | null;
}

const toAccountRow = (r: AccountDbRow): AccountRow => ({
  id: r.id,
  broker: r.broker,
  exchange: r.exchange,
  cash: new Decimal(r.cash),
  tradingState: r.trading_state,
  allowFractional: r.allow_fractional,
  venue: r.broker,
  maxOrderNotional: dec(r.max_order_notional),
  maxPositionQuantity: dec(r.max_position_quantity),
  allowedSymbols: r.allowed_symbols ?? [],
  maxSignalAgeSeconds: r.max_signal_age_seconds,
});

/**
 * Locks the accounts' rows for the rest of the transaction: decisions about one account are
 * taken by one transaction at a time, whatever the number of processor replicas. In id order,
 * like every transaction that locks several accounts (the executor's too), so that two of
 * them never wait on each other in a cycle.
 * FOR NO KEY UPDATE, not FOR UPDATE: the gateway's inserts of new signals check their
 * foreign key with FOR KEY SHARE, which this lock lets through, so ingest never waits on it.
 * With `skipLocked`, accounts another transaction holds are left out instead of waited for
 * (a batch waiting on one account would hold all the others meanwhile): the caller takes
 * those on their own. The account's risk settings are read with it: they change only under
 * the same lock (setRiskSettings in @utm/db), so each decision sees them as they are.
 */
export async function lockAccounts(
  client: PoolClient,
  accountIds: string[],
  skipLocked = false,
): Promise<Map<string, AccountRow>> {
  const { rows } = await client.query<AccountDbRow>({
    name: skipLocked ? 'processor-lock-accounts-skip' : 'processor-lock-accounts',
    text: `SELECT a.id, a.broker, a.exchange, a.cash::text, a.trading_state, a.allow_fractional, r.max_order_notional::text,
                  r.max_position_quantity::text, r.allowed_symbols, r.max_signal_age_seconds
           FROM accounts a LEFT JOIN account_risk_settings r ON r.account_id = a.id
           WHERE a.id = ANY($1::uuid[]) ORDER BY a.id FOR NO KEY UPDATE OF a${skipLocked ? ' SKIP LOCKED' : ''}`,
    values: [accountIds],
  });
  return new Map(rows.map((r) => [r.id, toAccountRow(r)]));
}

export interface PendingSignal {
  id: string;
  seq: bigint;
  symbol: string;
  request: unknown;
  /** Already recorded as waiting for earlier orders (its DEFERRED event). */
  deferred: boolean;
}

export interface TargetSignal {
  seq: bigint;
  status: string;
  accountId: string;
}

export interface LoadedStates {
  /** The signals the jobs are about, by id (absent: no such signal). */
  targets: Map<string, TargetSignal>;
  /** Per account: its pending signals in acceptance order, and its state. */
  accounts: Map<string, { pending: PendingSignal[]; state: AccountState }>;
}

interface StatesRow {
  targets: { id: string; seq: string; status: string; account_id: string }[];
  pending: { account_id: string; id: string; seq: string; symbol: string; request: unknown; deferred: boolean }[];
  positions: { account_id: string; symbol: string; quantity: string; avgPrice: string }[];
  orders: {
    account_id: string;
    id: string;
    role: OpenOrder['role'];
    side: OpenOrder['side'];
    symbol: string;
    type: OpenOrder['type'];
    status: OpenOrder['status'];
    quantity: string;
    filled: string;
    priceBasis: string | null;
    cancelRequested: boolean;
    changedAt: string;
  }[];
  quotes: { symbol: string; price: string }[];
  /** What the venues said of the pending signals' symbols (instrument_rules), every venue's. */
  rules: Parameters<typeof toInstrumentRules>[0][];
}

// One round trip for every account of the batch: the target signals, each account's pending
// signals in acceptance order (at most $3 each), positions, open orders in sequence, and the
// quotes of every symbol involved. Decimals travel as text: exact. The open statuses are
// written out, not a parameter: a prepared statement's generic plan can then find an
// account's open orders in its (account_id, status) index instead of reading its history.
const LOAD_STATES = `
WITH pending AS (
  SELECT p.* FROM unnest($1::uuid[]) AS a(id)
  CROSS JOIN LATERAL (SELECT account_id, id, seq, symbol, request FROM signals WHERE account_id = a.id AND status = ${sqlValue('PENDING')} ORDER BY seq LIMIT $3) p
), pos AS (
  SELECT account_id, symbol, quantity, avg_price FROM positions WHERE account_id = ANY($1::uuid[])
)
SELECT
  (SELECT coalesce(json_agg(json_build_object('id', id, 'seq', seq::text, 'status', status, 'account_id', account_id)), '[]') FROM signals WHERE id = ANY($2::uuid[])) AS targets,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'id', id, 'seq', seq::text, 'symbol', symbol, 'request', request,
                                              'deferred', EXISTS (SELECT 1 FROM signal_events e WHERE e.signal_id = pending.id AND e.type = ${sqlValue('DEFERRED')})) ORDER BY seq), '[]') FROM pending) AS pending,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'symbol', symbol, 'quantity', quantity::text, 'avgPrice', avg_price::text)), '[]') FROM pos) AS positions,
  (SELECT coalesce(json_agg(json_build_object('account_id', account_id, 'id', id, 'role', role, 'side', side, 'symbol', symbol, 'type', type, 'status', status,
                                              'quantity', quantity::text, 'filled', filled_quantity::text, 'priceBasis', price_basis::text,
                                              'cancelRequested', cancel_requested_at IS NOT NULL, 'changedAt', updated_at) ORDER BY seq), '[]')
     FROM orders WHERE account_id = ANY($1::uuid[]) AND status IN (${sqlList(OPEN_ORDER_STATUSES)})) AS orders,
  (SELECT coalesce(json_agg(json_build_object('symbol', symbol, 'price', price::text)), '[]')
     FROM quotes WHERE symbol IN (SELECT symbol FROM pos UNION SELECT symbol FROM pending)) AS quotes,
  (SELECT coalesce(json_agg(json_build_object('venue', venue, 'symbol', symbol, 'asset_class', asset_class, 'tradable', tradable,
            'shortable', shortable, 'fractionable', fractionable, 'quantity_step', quantity_step::text, 'min_quantity', min_quantity::text,
            'tick_size', tick_size::text, 'min_notional', min_notional::text, 'fetched_at', fetched_at)), '[]')
     FROM instrument_rules WHERE symbol IN (SELECT symbol FROM pending)) AS rules`;

/** What the state query read, before it is joined with the accounts actually locked. */
export interface RawStates {
  row: StatesRow;
}

/**
 * The state of the given accounts and the jobs' target signals, in one round trip. It may be
 * sent before the accounts' lock statement has answered (pipelined behind it: Postgres runs
 * them in order, and this one takes its snapshot after the locks are held); the accounts it
 * turns out were not locked are dropped by withAccounts.
 */
export async function loadStates(
  client: PoolClient,
  accountIds: string[],
  targetSignalIds: string[],
  perAccount: number,
): Promise<RawStates> {
  const { rows } = await client.query<StatesRow>({
    name: 'processor-load-states',
    text: LOAD_STATES,
    values: [accountIds, targetSignalIds, perAccount],
  });
  const r = rows[0];
  if (!r) throw new Error('state query returned no row');
  return { row: r };
}

/** The states of the locked accounts only (pure). */
export function withAccounts({ row: r }: RawStates, accounts: Map<string, AccountRow>): LoadedStates {
  const quotes = new Map(r.quotes.map((q) => [q.symbol, new Decimal(q.price)]));
  const instruments = new Map<string, InstrumentRules>(
    r.rules.map((x) => [
      instrumentKey(x.venue, x.symbol),
      toInstrumentRules({ ...x, fetched_at: new Date(x.fetched_at) }),
    ]),
  );
  const out: LoadedStates = {
    targets: new Map(r.targets.map((t) => [t.id, { seq: BigInt(t.seq), status: t.status, accountId: t.account_id }])),
    accounts: new Map(),
  };
  for (const [id, account] of accounts)
    out.accounts.set(id, {
      pending: [],
      state: { account, positions: new Map(), quotes, instruments, openOrders: [] },
    });
  for (const p of r.pending)
    out.accounts
      .get(p.account_id)
      ?.pending.push({ id: p.id, seq: BigInt(p.seq), symbol: p.symbol, request: p.request, deferred: p.deferred });
  for (const p of r.positions)
    out.accounts
      .get(p.account_id)
      ?.state.positions.set(p.symbol, { quantity: new Decimal(p.quantity), avgPrice: new Decimal(p.avgPrice) });
  for (const o of r.orders) {
    out.accounts.get(o.account_id)?.state.openOrders.push({
      id: o.id,
      role: o.role,
      side: o.side,
      symbol: o.symbol,
      type: o.type,
      status: o.status,
      quantity: new Decimal(o.quantity),
      filledQuantity: new Decimal(o.filled),
      priceBasis: dec(o.priceBasis),
      cancelRequested: o.cancelRequested,
      changedAt: new Date(o.changedAt),
    });
  }
  return out;
}
