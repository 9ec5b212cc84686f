/**
 * Account risk settings: the migration that moved the account limits into their own table keeps
 * every value, and setRiskSettings (the one write path) changes only what it is given, respects
 * the owner, and waits for a decision in progress (the processor holds the account row).
 */
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { testDatabaseUrl } from '@utm/testkit';
import { createDb, migrate, MIGRATIONS_DIR, setRiskSettings, type Db } from '../src';
import { createFreshDatabase } from './support/fresh-database';

const MOVE = '20261202141000_account_risk_settings';

describe('the migration to account_risk_settings', () => {
  it('moves each account limit with its exact value; accounts without any get no row', async () => {
    const fresh = await createFreshDatabase(testDatabaseUrl(), 'utm_risk_move');
    const before = mkdtempSync(path.join(tmpdir(), 'utm-migrations-'));
    try {
      for (const name of readdirSync(MIGRATIONS_DIR).filter((n) => n < MOVE))
        cpSync(path.join(MIGRATIONS_DIR, name), path.join(before, name), { recursive: true });
      await migrate(fresh.url, before);
      const c = await fresh.client();
      const { rows: users } = await c.query<{ id: string }>(`INSERT INTO users (name) VALUES ('u') RETURNING id`);
      const insert = (limits: string) =>
        c.query<{ id: string }>(
          `INSERT INTO accounts (user_id, name, mode, broker, cash${limits ? ', max_order_notional, max_position_quantity, allowed_symbols' : ''})
           VALUES ($1, 'a', 'PAPER', 'paper', 1000${limits}) RETURNING id`,
          [users[0]?.id],
        );
      const limited = (await insert(`, 12345678901234567890.0123456789, 0.0000000001, ARRAY['AAPL','BRK.B']`)).rows[0]
        ?.id;
      const plain = (await insert('')).rows[0]?.id;
      const onlySymbols = (await insert(`, NULL, NULL, ARRAY['MSFT']`)).rows[0]?.id;
      const emptyList = (await insert(`, NULL, NULL, ARRAY[]::text[]`)).rows[0]?.id;

      await migrate(fresh.url);
      const { rows } = await c.query<{ account_id: string; n: string | null; q: string | null; s: string[] | null }>(
        `SELECT account_id, max_order_notional::text AS n, max_position_quantity::text AS q, allowed_symbols AS s
         FROM account_risk_settings ORDER BY account_id`,
      );
      expect(Object.fromEntries(rows.map((r) => [r.account_id, { n: r.n, q: r.q, s: r.s }]))).toEqual({
        [String(limited)]: { n: '12345678901234567890.0123456789', q: '0.0000000001', s: ['AAPL', 'BRK.B'] },
        [String(onlySymbols)]: { n: null, q: null, s: ['MSFT'] },
      });
      expect([plain, emptyList].every((id) => !rows.some((r) => r.account_id === id))).toBe(true);
      const { rows: cols } = await c.query(
        `SELECT column_name FROM information_schema.columns WHERE table_name = 'accounts' AND column_name IN ('max_order_notional', 'max_position_quantity', 'allowed_symbols')`,
      );
      expect(cols).toEqual([]);
    } finally {
      rmSync(before, { recursive: true, force: true });
      await fresh.drop();
    }
  });
});

describe('setRiskSettings', () => {
  let db: Db;
  /** A user with one PAPER account (this package's own client: testkit's fixtures take the built one). */
  const createFixture = async (prisma: Db['prisma']) => {
    const user = await prisma.user.create({ data: { name: 'risk settings' } });
    const account = await prisma.account.create({
      data: { userId: user.id, name: 'a', mode: 'PAPER', broker: 'paper', cash: '1000' },
    });
    return { userId: user.id, accountId: account.id };
  };
  beforeAll(() => {
    db = createDb({ url: testDatabaseUrl(), poolMax: 4 });
  });
  afterAll(() => db.close());

  it('changes only the settings given, removes with null, and only for the owner', async () => {
    const f = await createFixture(db.prisma);
    const other = await createFixture(db.prisma);
    const first = await setRiskSettings(db.prisma, f.accountId, {
      maxSignalAgeSeconds: 30,
      maxOrderNotional: '1000.5',
    });
    expect(first?.settings).toMatchObject({ maxSignalAgeSeconds: 30, maxPositionQuantity: null });
    expect(first?.settings?.maxOrderNotional?.toFixed()).toBe('1000.5');
    const second = await setRiskSettings(
      db.prisma,
      f.accountId,
      { maxOrderNotional: null, tradingWindows: [{ days: ['MON'], start: '09:30', end: '16:00' }], timezone: 'UTC' },
      f.userId,
    );
    expect(second?.settings).toMatchObject({
      maxSignalAgeSeconds: 30,
      maxOrderNotional: null,
      tradingWindows: [{ days: ['MON'], start: '09:30', end: '16:00' }],
      timezone: 'UTC',
    });
    expect(await setRiskSettings(db.prisma, f.accountId, { maxSignalAgeSeconds: 1 }, other.userId)).toBeNull();
    expect(await setRiskSettings(db.prisma, f.accountId, {})).toMatchObject({ settings: { maxSignalAgeSeconds: 30 } });
    expect(await setRiskSettings(db.prisma, '00000000-0000-4000-8000-000000000000', {})).toBeNull();
  });

  it('waits for a decision in progress (the processor holds the account row) and lands after it', async () => {
    const f = await createFixture(db.prisma);
    const decision = await db.pool.connect();
    try {
      await decision.query('BEGIN');
      await decision.query('SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE', [f.accountId]);
      let done = false;
      const change = setRiskSettings(db.prisma, f.accountId, { maxSignalAgeSeconds: 5 }).then(
        (r) => ((done = true), r),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(done).toBe(false);
      await decision.query('COMMIT');
      expect((await change)?.settings?.maxSignalAgeSeconds).toBe(5);
    } finally {
      decision.release();
    }
  });
});
