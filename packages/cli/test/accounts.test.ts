import { randomBytes, randomUUID } from 'node:crypto';
import { createFixture } from '@utm/testkit';
import { decryptSecret } from '@utm/security';
import { Harness, UNKNOWN_ID } from './harness';

const h = new Harness();
afterAll(() => h.close());

const newUser = async () => (await h.prisma.user.create({ data: { name: `acct-${randomUUID().slice(0, 8)}` } })).id;
const cashText = async (id: string) =>
  (await h.db.pool.query<{ cash: string }>('SELECT cash::text AS cash FROM accounts WHERE id = $1', [id])).rows[0]
    ?.cash;

describe('utm account create', () => {
  it('creates a paper account with the default cash → {"accountId"}', async () => {
    const userId = await newUser();
    const { code, body, stderr } = await h.json<{ accountId: string }>([
      'account',
      'create',
      '--user',
      userId,
      '--mode',
      'PAPER',
      '--broker',
      'paper',
    ]);
    expect({ code, keys: Object.keys(body), stderr }).toEqual({ code: 0, keys: ['accountId'], stderr: '' });
    const row = await h.prisma.account.findUniqueOrThrow({ where: { id: body.accountId } });
    expect(row).toMatchObject({
      userId,
      mode: 'PAPER',
      broker: 'paper',
      tradingState: 'ACTIVE',
      brokerCredentials: null,
      name: 'paper (PAPER)',
    });
    expect(await cashText(body.accountId)).toBe('100000.0000000000');
  });

  it('keeps --cash exact (a decimal string, never a float) and takes --name and any-case enums', async () => {
    const userId = await newUser();
    const { body } = await h.json<{ accountId: string }>([
      'account',
      'create',
      '--user',
      userId,
      '--mode',
      'live',
      '--broker',
      'PAPER',
      '--cash',
      '12345678901234567890.0123456789',
      '--name',
      'Main',
    ]);
    expect(await cashText(body.accountId)).toBe('12345678901234567890.0123456789');
    expect(await h.prisma.account.findUniqueOrThrow({ where: { id: body.accountId } })).toMatchObject({
      name: 'Main',
      mode: 'LIVE',
      broker: 'paper',
    });
    const human = await h.run([
      'account',
      'create',
      '--user',
      userId,
      '--mode',
      'PAPER',
      '--broker',
      'paper',
      '--cash',
      '0.1',
    ]);
    expect(human.stdout).toMatch(
      /^account [0-9a-f-]{36} created \("paper \(PAPER\)", PAPER, broker paper, cash 0\.1\)\n$/,
    );
  });

  it('stores alpaca credentials encrypted under UTM_ENCRYPTION_KEY with the account id as AAD, never printing the secret', async () => {
    const userId = await newUser();
    const secret = `alpaca-secret-${randomBytes(8).toString('hex')}`;
    const args = [
      'account',
      'create',
      '--user',
      userId,
      '--mode',
      'LIVE',
      '--broker',
      'alpaca',
      '--alpaca-key-id',
      'AKTEST123',
      '--alpaca-secret',
      secret,
    ];
    const r = await h.run([...args, '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const { accountId } = JSON.parse(r.stdout) as { accountId: string };
    const row = await h.prisma.account.findUniqueOrThrow({ where: { id: accountId } });
    expect(row.broker).toBe('alpaca');
    const blob = Buffer.from(row.brokerCredentials ?? new Uint8Array());
    expect(blob.length).toBeGreaterThan(28);
    expect(blob.toString('latin1')).not.toContain(secret);
    expect(blob.toString('latin1')).not.toContain('AKTEST123');
    expect(JSON.parse(decryptSecret(h.encryptionKey, blob, accountId))).toEqual({
      keyId: 'AKTEST123',
      secretKey: secret,
    });
    expect(() => decryptSecret(h.encryptionKey, blob, randomUUID())).toThrow();
    expect(() => decryptSecret(randomBytes(32), blob, accountId)).toThrow();
    const human = await h.run(args);
    expect(human.code).toBe(0);
    expect(human.stdout + human.stderr).not.toContain(secret);
  });

  it('refuses alpaca without both credentials or without UTM_ENCRYPTION_KEY, and credentials on a paper account; nothing is created', async () => {
    const userId = await newUser();
    const base = ['account', 'create', '--user', userId, '--mode', 'PAPER'];
    await h.jsonError([...base, '--broker', 'alpaca'], 'VALIDATION_ERROR');
    expect(
      (await h.jsonError([...base, '--broker', 'alpaca', '--alpaca-key-id', 'K'], 'VALIDATION_ERROR')).message,
    ).toMatch(/--alpaca-secret/);
    expect(
      (await h.jsonError([...base, '--broker', 'alpaca', '--alpaca-secret', 'S'], 'VALIDATION_ERROR')).message,
    ).toMatch(/--alpaca-key-id/);
    const noKey = await h.jsonError(
      [...base, '--broker', 'alpaca', '--alpaca-key-id', 'K', '--alpaca-secret', 'S3CR3T'],
      'CONFIG_ERROR',
      {
        settings: () => h.settings({ encryptionKey: undefined }),
      },
    );
    expect(noKey.message).toMatch(/UTM_ENCRYPTION_KEY/);
    expect(noKey.message + noKey.stderr).not.toContain('S3CR3T');
    expect(
      (
        await h.jsonError(
          [...base, '--broker', 'paper', '--alpaca-key-id', 'K', '--alpaca-secret', 'S'],
          'VALIDATION_ERROR',
        )
      ).message,
    ).toMatch(/only for --broker alpaca/);
    const human = await h.run([...base, '--broker', 'alpaca', '--alpaca-key-id', 'K', '--alpaca-secret', 'S'], {
      settings: () => h.settings({ encryptionKey: undefined }),
    });
    expect(human).toMatchObject({ code: 1, stdout: '' });
    expect(human.stderr).toMatch(/^error \[CONFIG_ERROR\]: UTM_ENCRYPTION_KEY is not set.*\n$/);
    expect(await h.prisma.account.count({ where: { userId } })).toBe(0);
  });

  it('refuses bad cash, modes, brokers, user ids and an unknown user', async () => {
    const userId = await newUser();
    const base = ['account', 'create', '--user', userId, '--mode', 'PAPER', '--broker', 'paper'];
    for (const cash of ['1e5', '-5', '12.12345678901', '123456789012345678901', '1,000', 'NaN', '', ' ']) {
      expect((await h.jsonError([...base, '--cash', cash], 'VALIDATION_ERROR')).message).toMatch(/^--cash /);
    }
    await h.jsonError(
      ['account', 'create', '--user', userId, '--mode', 'DEMO', '--broker', 'paper'],
      'VALIDATION_ERROR',
    );
    await h.jsonError(
      ['account', 'create', '--user', userId, '--mode', 'PAPER', '--broker', 'ibkr'],
      'VALIDATION_ERROR',
    );
    await h.jsonError(['account', 'create', '--user', userId, '--broker', 'paper'], 'VALIDATION_ERROR');
    await h.jsonError(['account', 'create', '--user', 'x', '--mode', 'PAPER', '--broker', 'paper'], 'VALIDATION_ERROR');
    await h.jsonError(['account', 'create', '--user', UNKNOWN_ID, '--mode', 'PAPER', '--broker', 'paper'], 'NOT_FOUND');
    expect(await h.prisma.account.count({ where: { userId } })).toBe(0);
  });
});

describe('utm account halt | resume | reduce-only', () => {
  it('sets the trading state → {"accountId","tradingState"}', async () => {
    const { accountId } = await createFixture(h.prisma);
    for (const [command, state] of [
      ['halt', 'HALTED'],
      ['reduce-only', 'REDUCE_ONLY'],
      ['resume', 'ACTIVE'],
    ] as const) {
      const { code, body } = await h.json(['account', command, '--account', accountId]);
      expect({ code, body }).toEqual({ code: 0, body: { accountId, tradingState: state } });
      expect((await h.prisma.account.findUniqueOrThrow({ where: { id: accountId } })).tradingState).toBe(state);
    }
    expect((await h.run(['account', 'halt', '--account', accountId])).stdout).toBe(
      `account ${accountId} is now HALTED\n`,
    );
  });

  it('refuses an unknown or malformed account', async () => {
    await h.jsonError(['account', 'halt', '--account', UNKNOWN_ID], 'ACCOUNT_NOT_FOUND');
    await h.jsonError(['account', 'resume', '--account', 'acc-1'], 'VALIDATION_ERROR');
    await h.jsonError(['account', 'reduce-only'], 'VALIDATION_ERROR');
  });
});
