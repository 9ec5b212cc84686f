import { testDatabaseUrl } from '@utm/testkit';
import { createDb, withTransaction, writesCoalesced } from '../src';

describe('withTransaction', () => {
  const db = createDb({ url: testDatabaseUrl(), poolMax: 1 });
  afterAll(() => db.close());

  const show = async (c: { query: (q: string) => Promise<{ rows: Record<string, string>[] }> }, setting: string) =>
    (await c.query(`SHOW ${setting}`)).rows[0]?.[setting];

  it('sets its lock timeout and generic planning for the transaction only', async () => {
    const inside = await withTransaction(
      db.pool,
      async (c) => ({ lock: await show(c, 'lock_timeout'), plans: await show(c, 'plan_cache_mode') }),
      { lockTimeoutMs: 150, genericPlans: true },
    );
    expect(inside).toEqual({ lock: '150ms', plans: 'force_generic_plan' });
    // Same (only) pooled connection, after COMMIT: back to the session's settings.
    const after = await withTransaction(db.pool, async (c) => ({
      lock: await show(c, 'lock_timeout'),
      plans: await show(c, 'plan_cache_mode'),
    }));
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

describe('pipelined queries', () => {
  const db = createDb({ url: testDatabaseUrl(), poolMax: 1 });
  afterAll(() => db.close());

  it('leave in one write per event-loop turn and are answered in order', async () => {
    const client = await db.pool.connect();
    try {
      expect(writesCoalesced(client)).toBe(true);
      const stream = client.connection.stream as unknown as {
        _write: (...a: unknown[]) => void;
        _writev: (...a: unknown[]) => void;
      };
      let writes = 0;
      const [w, wv] = [stream._write.bind(stream), stream._writev.bind(stream)];
      stream._write = (...a) => void (writes++, w(...a));
      stream._writev = (...a) => void (writes++, wv(...a));
      const answers = await Promise.all([
        client.query('BEGIN'),
        client.query('SELECT $1::int AS n', [1]),
        client.query('SELECT $1::int AS n', [2]),
        client.query('COMMIT'),
      ]);
      expect(answers.slice(1, 3).map((r) => r.rows[0])).toEqual([{ n: 1 }, { n: 2 }]);
      expect(writes).toBe(1);
    } finally {
      client.release();
    }
  });
});
