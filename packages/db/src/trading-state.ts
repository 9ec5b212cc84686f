import type { PrismaClient, TradingState } from './generated/prisma/client';
import type { Tx } from './client';

/** The three state changes, by the name the CLI command and the HTTP endpoint share. */
export const TRADING_STATE_CHANGES = {
  halt: 'HALTED',
  'reduce-only': 'REDUCE_ONLY',
  resume: 'ACTIVE',
} as const satisfies Record<string, TradingState>;

export type TradingStateChangeName = keyof typeof TRADING_STATE_CHANGES;

/**
 * Who asked for a change, as recorded with it (the contract: a halt says who or what halted it):
 * `cli`, `api-key:<prefix>`, or a rule's name.
 */
export type TradingStateActor = string;

export interface TradingStateChange {
  accountId: string;
  tradingState: TradingState;
  previous: TradingState;
}

/**
 * Sets an account's trading state: the one implementation behind `utm account
 * halt|resume|reduce-only` and POST /api/v1/accounts/:id/{halt,reduce-only,resume}.
 *
 * The row is locked first (the processor holds the same lock while it decides a signal of the
 * account), so the change lands between two decisions and applies to every signal decided
 * after it commits: the processor reads trading_state at decision time. Nothing caches the
 * state elsewhere. `ownerId` limits the change to that user's account (the HTTP API);
 * null when there is no such account.
 *
 * A change of state is recorded in account_events (type = the new state, with `actor`) in the
 * same statement, so the record exists exactly when the change committed; setting the state
 * the account already has records nothing.
 */
export async function setTradingState(
  db: PrismaClient | Tx,
  accountId: string,
  state: TradingState,
  ownerId: string | undefined,
  actor: TradingStateActor,
): Promise<TradingStateChange | null> {
  const rows = await db.$queryRaw<{ previous: TradingState }[]>`
    WITH old AS (
      SELECT id, trading_state FROM accounts
      WHERE id = ${accountId}::uuid AND (${ownerId ?? null}::uuid IS NULL OR user_id = ${ownerId ?? null}::uuid)
      FOR NO KEY UPDATE
    ), changed AS (
      UPDATE accounts a SET trading_state = ${state}::"TradingState", updated_at = now()
      FROM old WHERE a.id = old.id
      RETURNING a.id, old.trading_state::text AS previous
    ), recorded AS (
      INSERT INTO account_events (account_id, type, message, actor)
      SELECT id, ${state}::text, 'Trading state ' || previous || ' → ' || ${state}::text || ' (by ' || ${actor}::text || ')', ${actor}::text
      FROM changed WHERE previous <> ${state}::text
    )
    SELECT previous FROM changed`;
  const row = rows[0];
  return row ? { accountId, tradingState: state, previous: row.previous } : null;
}
