import { createDb, setTradingState, type Db } from '@utm/db';
import { createFixture, testDatabaseUrl } from '@utm/testkit';

/**
 * setTradingState: the one change behind `utm account halt|resume|reduce-only` and
 * POST /api/v1/accounts/:id/{halt,reduce-only,resume}.
 */
let db: Db;
beforeAll(() => {
  db = createDb({ url: testDatabaseUrl(), poolMax: 4 });
});
afterAll(() => db.close());

const stateOf = async (id: string) => (await db.prisma.account.findUniqueOrThrow({ where: { id } })).tradingState;

it('returns the previous state; with an owner, only that user’s account changes', async () => {
  const f = await createFixture(db.prisma);
  const other = await createFixture(db.prisma);
  expect(await setTradingState(db.prisma, f.accountId, 'HALTED', undefined, 'cli')).toEqual({
    accountId: f.accountId,
    tradingState: 'HALTED',
    previous: 'ACTIVE',
  });
  expect(await setTradingState(db.prisma, f.accountId, 'REDUCE_ONLY', f.userId, 'test')).toEqual({
    accountId: f.accountId,
    tradingState: 'REDUCE_ONLY',
    previous: 'HALTED',
  });
  expect(await setTradingState(db.prisma, f.accountId, 'ACTIVE', other.userId, 'test')).toBeNull();
  expect(await stateOf(f.accountId)).toBe('REDUCE_ONLY');
  expect(
    await setTradingState(db.prisma, '00000000-0000-4000-8000-000000000000', 'ACTIVE', undefined, 'test'),
  ).toBeNull();
});

it('waits for a decision in progress (the processor holds the account row) and lands after it', async () => {
  const f = await createFixture(db.prisma);
  const decision = await db.pool.connect();
  try {
    await decision.query('BEGIN');
    await decision.query('SELECT id FROM accounts WHERE id = $1 FOR NO KEY UPDATE', [f.accountId]);
    let done = false;
    const change = setTradingState(db.prisma, f.accountId, 'HALTED', undefined, 'cli').then((r) => ((done = true), r));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    expect(await stateOf(f.accountId)).toBe('ACTIVE');
    await decision.query('COMMIT');
    expect(await change).toMatchObject({ tradingState: 'HALTED', previous: 'ACTIVE' });
  } finally {
    decision.release();
  }
});

it('records each change with who made it, in the change’s transaction; an unchanged state records nothing', async () => {
  const f = await createFixture(db.prisma);
  const events = () => db.prisma.accountEvent.findMany({ where: { accountId: f.accountId }, orderBy: { id: 'asc' } });
  await setTradingState(db.prisma, f.accountId, 'HALTED', undefined, 'cli');
  await setTradingState(db.prisma, f.accountId, 'HALTED', f.userId, 'api-key:k1');
  await setTradingState(db.prisma, f.accountId, 'ACTIVE', f.userId, 'api-key:k1');
  await expect(
    db.prisma.$transaction(async (tx) => {
      await setTradingState(tx, f.accountId, 'REDUCE_ONLY', undefined, 'cli');
      throw new Error('rolled back');
    }),
  ).rejects.toThrow('rolled back');
  expect((await events()).map((e) => [e.type, e.actor, e.message])).toEqual([
    ['HALTED', 'cli', 'Trading state ACTIVE → HALTED (by cli)'],
    ['ACTIVE', 'api-key:k1', 'Trading state HALTED → ACTIVE (by api-key:k1)'],
  ]);
  expect((await events()).every((e) => e.txId !== null)).toBe(true);
});
