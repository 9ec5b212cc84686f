import { AppError } from '@utm/contracts';
import { startRedisProcess, testRedisUrl, type RedisProcess } from '@utm/testkit';
import { assertNoEviction, createRedis, readEvictionPolicy, waitForRedis } from '../src';

/**
 * Real redis-server processes of the test's own (the shared Redis on 6379 is never
 * reconfigured): one whose CONFIG command works, one where it is disabled as on managed Redis.
 */
describe('the eviction-policy check', () => {
  let plain: RedisProcess;
  let managed: RedisProcess;
  beforeAll(async () => {
    plain = await startRedisProcess(['--maxmemory-policy', 'allkeys-lru']);
    managed = await startRedisProcess(['--maxmemory-policy', 'volatile-ttl', '--rename-command', 'CONFIG', '']);
  });
  afterAll(async () => {
    await plain?.stop();
    await managed?.stop();
  });

  it('refuses a Redis that may evict keys, naming the policy and how to fix it', async () => {
    const redis = createRedis(plain.url, 'client');
    try {
      await waitForRedis(redis);
      expect(await readEvictionPolicy(redis)).toBe('allkeys-lru');
      const err = await assertNoEviction(redis).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(AppError);
      const message = (err as AppError).message;
      expect(message).toContain('maxmemory-policy is "allkeys-lru"');
      expect(message).toContain('CONFIG SET maxmemory-policy noeviction');
      expect(message).toContain('redis.conf');
      expect(message).toContain('parameter group');

      await plain.admin.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
      await expect(assertNoEviction(redis)).resolves.toBeUndefined();
    } finally {
      redis.disconnect();
    }
  });

  it('reads the policy from INFO memory where CONFIG is disabled', async () => {
    const redis = createRedis(managed.url, 'client');
    try {
      await waitForRedis(redis);
      await expect(redis.call('CONFIG', 'GET', 'maxmemory-policy')).rejects.toThrow(/unknown command/i);
      expect(await readEvictionPolicy(redis)).toBe('volatile-ttl');
      await expect(assertNoEviction(redis)).rejects.toThrow(
        /maxmemory-policy is "volatile-ttl"[\s\S]*Refusing to start/,
      );
    } finally {
      redis.disconnect();
    }
  });

  it('passes on the shared test Redis (noeviction) and gives up on a Redis that never answers', async () => {
    const shared = createRedis(testRedisUrl(), 'client');
    const nowhere = createRedis('redis://127.0.0.1:1', 'client');
    try {
      await expect(assertNoEviction(shared)).resolves.toBeUndefined();
      await expect(assertNoEviction(nowhere, { timeoutMs: 300 })).rejects.toThrow(/did not answer within 300 ms/);
    } finally {
      shared.disconnect();
      nowhere.disconnect();
    }
  });
});
