import type { Db, Mode } from '@utm/db';

export interface KeyRecord {
  keyId: string;
  userId: string;
  mode: Mode;
  rateLimit: number;
  revoked: boolean;
}

export interface AccountRecord {
  accountId: string;
  userId: string;
  mode: Mode;
}

/** Lookups behind authentication and account ownership. */
export class AuthRepository {
  constructor(private readonly db: Db) {}

  async findKeyByHash(keyHash: string): Promise<KeyRecord | null> {
    const { rows } = await this.db.pool.query<{
      id: string;
      user_id: string;
      mode: Mode;
      rate_limit: number;
      revoked_at: Date | null;
    }>({
      name: 'gateway-find-key',
      text: 'SELECT id, user_id, mode, rate_limit, revoked_at FROM api_keys WHERE key_hash = $1',
      values: [keyHash],
    });
    const r = rows[0];
    return r
      ? { keyId: r.id, userId: r.user_id, mode: r.mode, rateLimit: r.rate_limit, revoked: r.revoked_at !== null }
      : null;
  }

  async findAccount(accountId: string): Promise<AccountRecord | null> {
    const { rows } = await this.db.pool.query<{ id: string; user_id: string; mode: Mode }>({
      name: 'gateway-find-account',
      text: 'SELECT id, user_id, mode FROM accounts WHERE id = $1',
      values: [accountId],
    });
    const r = rows[0];
    return r ? { accountId: r.id, userId: r.user_id, mode: r.mode } : null;
  }
}
