import type { NextFunction, Request, Response } from 'express';
import type { RedisConnection } from '@utm/queue';
import { AppError, authInvalidationChannel, isUuid } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { hashApiKey } from '@utm/security';
import type { AccountRecord, AuthRepository, KeyRecord } from '../repositories/auth-repository';
import { TtlCache } from './ttl-cache';

/** What a request is allowed to act as, once its key is verified. */
export interface AuthContext {
  keyId: string;
  userId: string;
  mode: KeyRecord['mode'];
  rateLimit: number;
}

/** The key from the X-API-Key header, else from the apiKey query parameter. */
export function apiKeyOf(req: Request): string | undefined {
  const header = req.get('x-api-key');
  if (header !== undefined) return header;
  const query = req.query.apiKey;
  return typeof query === 'string' ? query : undefined;
}

export function authOf(res: Response): AuthContext {
  const auth = res.locals.auth as AuthContext | undefined;
  if (!auth) throw new AppError('INVALID_API_KEY', 'API key required');
  return auth;
}

/**
 * Resolves API keys and accounts with a short in-memory cache (they are read on every
 * webhook call). A revocation is pushed to every gateway over Redis pub/sub and drops the
 * key at once; without Redis the cache entry lapses after its TTL.
 */
export class Authenticator {
  private readonly keys: TtlCache<KeyRecord | null>;
  private readonly accounts: TtlCache<AccountRecord | null>;

  constructor(
    private readonly repo: AuthRepository,
    ttlMs: number,
  ) {
    this.keys = new TtlCache(ttlMs);
    this.accounts = new TtlCache(ttlMs);
  }

  /** Subscribes to revocations; returns a function that unsubscribes. */
  async subscribe(subscriber: RedisConnection, queuePrefix: string, logger: Logger): Promise<() => Promise<void>> {
    const channel = authInvalidationChannel(queuePrefix);
    const onMessage = (ch: string, keyHash: string) => {
      if (ch === channel) this.keys.delete(keyHash);
    };
    subscriber.on('message', onMessage);
    // After a reconnect, anything published meanwhile was missed: start from a clean cache.
    const onReady = () => this.keys.clear();
    subscriber.on('ready', onReady);
    await subscriber.subscribe(channel);
    logger.debug('subscribed to key revocations', { module: 'auth', channel });
    return async () => {
      subscriber.off('message', onMessage);
      subscriber.off('ready', onReady);
      await subscriber.unsubscribe(channel);
    };
  }

  async authenticate(apiKey: string | undefined): Promise<AuthContext> {
    if (!apiKey)
      throw new AppError('INVALID_API_KEY', 'API key missing: send the X-API-Key header or the apiKey query parameter');
    const keyHash = hashApiKey(apiKey);
    const key = await this.keys.get(keyHash, () => this.repo.findKeyByHash(keyHash));
    if (!key || key.revoked) throw new AppError('INVALID_API_KEY', 'API key is unknown or revoked');
    return { keyId: key.keyId, userId: key.userId, mode: key.mode, rateLimit: key.rateLimit };
  }

  /** The account if it exists and belongs to the user; otherwise ACCOUNT_NOT_FOUND, alike. */
  async ownedAccount(auth: AuthContext, accountId: string): Promise<AccountRecord> {
    const account = isUuid(accountId)
      ? await this.accounts.get(accountId, () => this.repo.findAccount(accountId))
      : null;
    if (!account || account.userId !== auth.userId) {
      throw new AppError('ACCOUNT_NOT_FOUND', `Account ${accountId} not found`);
    }
    return account;
  }

  middleware() {
    return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      res.locals.auth = await this.authenticate(apiKeyOf(req));
      next();
    };
  }
}
