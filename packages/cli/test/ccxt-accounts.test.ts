import { randomBytes, randomUUID } from 'node:crypto';
import { decryptSecret, parseCcxtCredentials } from '@utm/security';
import { Harness } from './harness';

const h = new Harness();
afterAll(() => h.close());

const newUser = async () => (await h.prisma.user.create({ data: { name: `ccxt-${randomUUID().slice(0, 8)}` } })).id;

describe('utm account create --broker ccxt', () => {
  it('stores an exchange account: credentials encrypted (AAD = account id), exchange in the clear, --sandbox → PAPER, fractional sizing', async () => {
    const userId = await newUser();
    const secret = `binance-secret-${randomBytes(8).toString('hex')}`;
    const password = `pass-${randomBytes(4).toString('hex')}`;
    const args = ['account', 'create', '--user', userId, '--broker', 'ccxt', '--exchange', 'binance'];
    const creds = ['--api-key', 'BINANCEKEY123', '--secret', secret, '--password', password];
    const r = await h.run([...args, ...creds, '--sandbox', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(secret);
    const { accountId } = JSON.parse(r.stdout) as { accountId: string };
    const row = await h.prisma.account.findUniqueOrThrow({ where: { id: accountId } });
    expect(row).toMatchObject({
      broker: 'ccxt',
      exchange: 'binance',
      mode: 'PAPER',
      allowFractional: true,
      name: 'ccxt:binance (PAPER)',
    });
    const blob = Buffer.from(row.brokerCredentials ?? new Uint8Array());
    for (const s of [secret, 'BINANCEKEY123', password]) expect(blob.toString('latin1')).not.toContain(s);
    expect(parseCcxtCredentials(decryptSecret(h.encryptionKey, blob, accountId))).toEqual({
      apiKey: 'BINANCEKEY123',
      secret,
      password,
    });
    expect(() => decryptSecret(h.encryptionKey, blob, randomUUID())).toThrow();

    const live = await h.run([...args, ...creds]);
    expect(live.code).toBe(0);
    expect(live.stdout).toMatch(
      /^account [0-9a-f-]{36} created \("ccxt:binance \(LIVE\)", LIVE, broker ccxt:binance, cash 100000\)\n$/,
    );
    expect(live.stdout + live.stderr).not.toContain(secret);
  });

  it('refuses missing credentials, an exchange ccxt does not know, a mode that contradicts --sandbox, and ccxt flags elsewhere; nothing is created', async () => {
    const userId = await newUser();
    const base = ['account', 'create', '--user', userId, '--broker', 'ccxt'];
    const creds = ['--api-key', 'K', '--secret', 'S3CR3T'];
    expect((await h.jsonError([...base, ...creds], 'VALIDATION_ERROR')).message).toMatch(/^--exchange is required/);
    expect(
      (await h.jsonError([...base, '--exchange', 'binance', '--secret', 'S'], 'VALIDATION_ERROR')).message,
    ).toMatch(/^--api-key is required/);
    expect(
      (await h.jsonError([...base, '--exchange', 'binance', '--api-key', 'K'], 'VALIDATION_ERROR')).message,
    ).toMatch(/^--secret is required/);
    expect((await h.jsonError([...base, '--exchange', 'notanexchange', ...creds], 'VALIDATION_ERROR')).message).toMatch(
      /^--exchange must be an exchange id ccxt knows/,
    );
    const paperWithoutSandbox = await h.jsonError(
      [...base, '--exchange', 'binance', '--mode', 'PAPER', ...creds],
      'VALIDATION_ERROR',
    );
    expect(paperWithoutSandbox.message).toMatch(/^--mode PAPER needs --sandbox/);
    expect(paperWithoutSandbox.message + paperWithoutSandbox.stderr).not.toContain('S3CR3T');
    await h.jsonError([...base, '--exchange', 'binance', '--mode', 'LIVE', '--sandbox', ...creds], 'VALIDATION_ERROR');
    expect(
      (
        await h.jsonError(
          ['account', 'create', '--user', userId, '--mode', 'PAPER', '--broker', 'paper', '--exchange', 'binance'],
          'VALIDATION_ERROR',
        )
      ).message,
    ).toMatch(/^--exchange is only for --broker ccxt/);
    expect(
      (await h.jsonError([...base, '--exchange', 'binance', ...creds, '--alpaca-key-id', 'K'], 'VALIDATION_ERROR'))
        .message,
    ).toMatch(/^--alpaca-key-id is only for --broker alpaca/);
    const noKey = await h.jsonError([...base, '--exchange', 'binance', ...creds], 'CONFIG_ERROR', {
      settings: () => h.settings({ encryptionKey: undefined }),
    });
    expect(noKey.message).toMatch(/UTM_ENCRYPTION_KEY/);
    expect(await h.prisma.account.count({ where: { userId } })).toBe(0);
  });
});
