import { testDatabaseUrl } from '@utm/testkit';
import { createDb, withTransaction } from '../src';

describe('withTransaction', () => {
  const db = createDb({ url: testDatabaseUrl(), poolMax: 1 });
  afterAll(() => db.close());

  const show = async (c: { query: (q: string) => Promise<{ rows: Record<string, string>[] }> }, setting: string) => (await c.query(`SHOW ${setting}`)).rows[0]?.[setting];

  it('sets its lock timeout and generic planning for the transaction only', async () => {
    const inside = await withTransaction(db.pool, async (c) => ({ lock: await show(c, 'lock_timeout'), plans: await show(c, 'plan_cache_mode') }), { lockTimeoutMs: 150, genericPlans: true });
    expect(inside).toEqual({ lock: '150ms', plans: 'force_generic_plan' });
    // Same (only) pooled connection, after COMMIT: back to the session's settings.
    const after = await withTransaction(db.pool, async (c) => ({ lock: await show(c, 'lock_timeout'), plans: await show(c, 'plan_cache_mode') }));
    expect(after).toEqual({ lock: '0', plans: 'auto' });
  });

  it('rolls back on an error, rethrows it, and leaves the connection usable', async () => {
    await db.pool.query('CREATE TEMP TABLE IF NOT EXISTS tx_probe (n int)');
    await expect(
      withTransaction(db.pool, async (c) => {
        await c.query('INSERT INTO tx_probe VALUES (1)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.pool.query('SELECT count(*)::int AS n FROM tx_probe')).rows[0]).toEqual({ n: 0 });
  });
});
