import { randomUUID } from 'node:crypto';
import DataLoader from 'dataloader';
import type { Response } from 'express';
import type { RedisConnection } from '@utm/queue';
import { AppError } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { authOf } from './api-key-auth';

/**
 * A rolling one-minute window per API key, kept in Redis so that every gateway replica
 * counts against the same limit: a sliding log in a sorted set, by Redis server time (no
 * clock skew between replicas). The hits of one key that arrive in the same event-loop turn
 * are counted in one call: ARGV n = how many; it admits min(n, room) and returns
 * [admitted, count after, retry-after ms].
 */
const SLIDING_WINDOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local n = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local admitted = math.min(n, math.max(0, limit - count))
for i = 1, admitted do
  redis.call('ZADD', KEYS[1], now, ARGV[4] .. '-' .. i)
end
if admitted > 0 then redis.call('PEXPIRE', KEYS[1], window) end
local retry = 0
if admitted < n then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if oldest[2] then retry = tonumber(oldest[2]) + window - now else retry = window end
end
return {admitted, count + admitted, retry}
`;

export const WINDOW_MS = 60_000;

type RedisWithLimit = RedisConnection & {
  utmRateLimit(
    key: string,
    windowMs: number,
    limit: number,
    n: number,
    nonce: string,
  ): Promise<[number, number, number]>;
};

interface Hit {
  keyId: string;
  limit: number;
}

export class RateLimiter {
  private readonly redis: RedisWithLimit;
  private readonly loader: DataLoader<Hit, { remaining: number } | AppError>;
  // Log members must be unique across replicas (containers may all be pid 1).
  private readonly instance = randomUUID();
  private batch = 0;
  private readonly log: Logger;

  constructor(
    redis: RedisConnection,
    private readonly prefix: string,
    logger: Logger,
    private readonly windowMs = WINDOW_MS,
  ) {
    if (!('utmRateLimit' in redis)) redis.defineCommand('utmRateLimit', { numberOfKeys: 1, lua: SLIDING_WINDOW });
    this.redis = redis as RedisWithLimit;
    this.log = logger.child({ module: 'auth/rate-limiter' });
    this.loader = new DataLoader((hits) => this.count(hits), {
      cache: false,
      batchScheduleFn: (run) => setImmediate(run),
    });
  }

  private async count(hits: readonly Hit[]): Promise<({ remaining: number } | AppError)[]> {
    const byKey = new Map<string, number[]>();
    hits.forEach((h, i) => byKey.set(h.keyId, [...(byKey.get(h.keyId) ?? []), i]));
    const out: ({ remaining: number } | AppError)[] = new Array(hits.length);
    await Promise.all(
      [...byKey].map(async ([keyId, indexes]) => {
        const limit = hits[indexes[0] ?? 0]?.limit ?? 0;
        const [admitted, countAfter, retryMs] = await this.redis.utmRateLimit(
          `${this.prefix}:ratelimit:${keyId}`,
          this.windowMs,
          limit,
          indexes.length,
          `${this.instance}-${this.batch++}`,
        );
        const retryAfter = String(Math.max(1, Math.ceil(retryMs / 1000)));
        indexes.forEach((hitIndex, i) => {
          out[hitIndex] =
            i < admitted
              ? { remaining: Math.max(0, limit - (countAfter - admitted + i + 1)) }
              : new AppError(
                  'RATE_LIMIT_EXCEEDED',
                  `Rate limit of ${limit} requests per minute exceeded; retry in ${retryAfter} s`,
                  {
                    headers: {
                      'Retry-After': retryAfter,
                      'X-RateLimit-Limit': String(limit),
                      'X-RateLimit-Remaining': '0',
                    },
                  },
                );
        });
      }),
    );
    return out;
  }

  /** Records one request for the key; throws RATE_LIMIT_EXCEEDED when over. */
  async hit(keyId: string, limit: number): Promise<{ remaining: number }> {
    return this.loader.load({ keyId, limit }) as Promise<{ remaining: number }>;
  }

  /**
   * The limit's verdict for this request: RATE_LIMIT_EXCEEDED, or nothing (headers set).
   * When Redis cannot answer, the request is let through (a signal must not be refused
   * because the limiter's store is away while Postgres is fine) and the failure is logged.
   * Never rejects.
   */
  async check(res: Response): Promise<AppError | undefined> {
    const auth = authOf(res);
    try {
      const { remaining } = await this.hit(auth.keyId, auth.rateLimit);
      res.setHeader('X-RateLimit-Limit', String(auth.rateLimit));
      res.setHeader('X-RateLimit-Remaining', String(remaining));
    } catch (err) {
      if (err instanceof AppError) return err;
      this.log.warn('rate limiter unavailable; request allowed without limiting', {
        requestId: res.locals.requestId,
        keyId: auth.keyId,
        err,
      });
    }
    return undefined;
  }
}
