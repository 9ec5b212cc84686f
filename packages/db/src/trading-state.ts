import type { PrismaClient, TradingState } from './generated/prisma/client';
import type { Tx } from './client';

/** The three state changes, by the name the CLI command and the HTTP endpoint share. */
export const TRADING_STATE_CHANGES = {
  halt: 'HALTED',
  'reduce-only': 'REDUCE_ONLY',
  resume: 'ACTIVE',
} as const satisfies Record<string, TradingState>;

export type TradingStateChangeName = keyof typeof TRADING_STATE_CHANGES;

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
 */
export async function setTradingState(
  db: PrismaClient | Tx,
  accountId: string,
  state: TradingState,
  ownerId?: string,
): Promise<TradingStateChange | null> {
  const rows = await db.$queryRaw<{ previous: TradingState }[]>`
    WITH old AS (
      SELECT id, trading_state FROM accounts
      WHERE id = ${accountId}::uuid AND (${ownerId ?? null}::uuid IS NULL OR user_id = ${ownerId ?? null}::uuid)
      FOR NO KEY UPDATE
    )
    UPDATE accounts a SET trading_state = ${state}::"TradingState", updated_at = now()
    FROM old WHERE a.id = old.id
    RETURNING old.trading_state::text AS previous`;
  const row = rows[0];
  return row ? { accountId, tradingState: state, previous: row.previous } : null;
}
