import type { NextFunction, Request, Response } from 'express';
import type { Redis } from 'ioredis';
import { AppError } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { authOf } from './api-key-auth';

/**
 * A rolling one-minute window per API key, kept in Redis so that every gateway replica
 * counts against the same limit. Sliding log in a sorted set, by Redis server time (no
 * clock skew between replicas). Returns [allowed, count, retryAfterMs].
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count < limit then
  redis.call('ZADD', KEYS[1], now, now .. '-' .. ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, count, tonumber(oldest[2]) + window - now}
`;

export const WINDOW_MS = 60_000;

type RedisWithLimit = Redis & {
  utmRateLimit(key: string, windowMs: number, limit: number, nonce: string): Promise<[number, number, number]>;
};

export class RateLimiter {
  private readonly redis: RedisWithLimit;
  private nonce = 0;
  private readonly log: Logger;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    logger: Logger,
    private readonly windowMs = WINDOW_MS,
  ) {
    if (!('utmRateLimit' in redis)) redis.defineCommand('utmRateLimit', { numberOfKeys: 1, lua: SLIDING_WINDOW });
    this.redis = redis as RedisWithLimit;
    this.log = logger.child({ module: 'auth/rate-limiter' });
  }

  /** Records one request for the key; throws RATE_LIMIT_EXCEEDED when over. */
  async hit(keyId: string, limit: number): Promise<{ remaining: number }> {
    const [allowed, count, retryMs] = await this.redis.utmRateLimit(`${this.prefix}:ratelimit:${keyId}`, this.windowMs, limit, `${process.pid}-${this.nonce++}`);
    if (allowed === 1) return { remaining: Math.max(0, limit - count) };
    const retryAfter = Math.max(1, Math.ceil(retryMs / 1000));
    throw new AppError('RATE_LIMIT_EXCEEDED', `Rate limit of ${limit} requests per minute exceeded; retry in ${retryAfter} s`, {
      headers: { 'Retry-After': String(retryAfter), 'X-RateLimit-Limit': String(limit), 'X-RateLimit-Remaining': '0' },
    });
  }

  /**
   * Over the limit → 429. When Redis cannot answer, the request is let through (a signal
   * must not be refused because the limiter's store is away while Postgres is fine) and
   * the failure is logged.
   */
  middleware() {
    return async (_req: Request, res: Response, next: NextFunction): Promise<void> => {
      const auth = authOf(res);
      try {
        const { remaining } = await this.hit(auth.keyId, auth.rateLimit);
        res.setHeader('X-RateLimit-Limit', String(auth.rateLimit));
        res.setHeader('X-RateLimit-Remaining', String(remaining));
      } catch (err) {
        if (err instanceof AppError) throw err;
        this.log.warn('rate limiter unavailable; request allowed without limiting', { requestId: res.locals.requestId, keyId: auth.keyId, err });
      }
      next();
    };
  }
}
