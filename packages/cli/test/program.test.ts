import { ConfigError } from '@utm/config';
import { loadSettings } from '../src/config';
import { toCliError } from '../src/errors';
import { wantsJson } from '../src/output';
import { Harness } from './harness';

const h = new Harness();
afterAll(() => h.close());

describe('the utm program', () => {
  it('prints help on stdout, or on stderr when --json reserves stdout; exit 0', async () => {
    const human = await h.run(['--help']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toMatch(/^Usage: utm /);
    for (const group of ['user', 'key', 'account', 'quote', 'signal|signals', 'bootstrap'])
      expect(human.stdout).toContain(group);
    const json = await h.run(['account', 'create', '--help', '--json']);
    expect(json).toMatchObject({ code: 0, stdout: '' });
    expect(json.stderr).toMatch(/--alpaca-secret/);
  });

  it('reports commander errors as VALIDATION_ERROR JSON on stdout, commander text on stderr only', async () => {
    for (const args of [
      ['nope'],
      ['user', 'create', '--name', 'x', '--bogus'],
      ['user'],
      [],
      ['signal', 'show', 'a', 'b'],
    ]) {
      const r = await h.run([...args, '--json']);
      expect(r.code).toBe(1);
      expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(JSON.parse(r.stdout)).toMatchObject({ success: false, error: 'VALIDATION_ERROR' });
    }
    const human = await h.run(['user', 'create', '--name', 'x', '--bogus']);
    expect(human).toMatchObject({ code: 1, stdout: '' });
    expect(human.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('accepts --json anywhere before --, and the signal group under both names', async () => {
    expect(wantsJson(['--json', 'user', 'create'])).toBe(true);
    expect(wantsJson(['user', 'create', '--', '--json'])).toBe(false);
    const r = await h.run(['--json', 'signals', 'list', '--limit', '1']);
    expect(JSON.parse(r.stdout)).toHaveProperty('signals');
    expect(JSON.parse((await h.run(['signal', 'list', '--limit', '1', '--json'])).stdout)).toHaveProperty('signals');
  });

  it('reports a missing or invalid environment as CONFIG_ERROR naming the variable', async () => {
    const missing = await h.jsonError(['user', 'create', '--name', 'x'], 'CONFIG_ERROR', {
      settings: () => loadSettings({}),
    });
    expect(missing.message).toMatch(/DATABASE_URL is required/);
    const badKey = await h.jsonError(['user', 'create', '--name', 'x'], 'CONFIG_ERROR', {
      settings: () => loadSettings({ DATABASE_URL: 'postgresql://x@127.0.0.1/db', UTM_ENCRYPTION_KEY: 'short' }),
    });
    expect(badKey.message).toMatch(/UTM_ENCRYPTION_KEY must be 32 bytes/);
    const human = await h.run(['user', 'create', '--name', 'x'], { settings: () => loadSettings({}) });
    expect(human).toMatchObject({ code: 1, stdout: '' });
    expect(human.stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('reads QUEUE_PREFIX (default {utm}), REDIS_URL and UTM_ENCRYPTION_KEY', () => {
    const key = 'ab'.repeat(32);
    expect(loadSettings({ DATABASE_URL: 'postgresql://u@h/db' })).toEqual({
      databaseUrl: 'postgresql://u@h/db',
      redisUrl: undefined,
      encryptionKey: undefined,
      queuePrefix: '{utm}',
    });
    expect(
      loadSettings({
        DATABASE_URL: 'postgresql://u@h/db',
        REDIS_URL: 'redis://r:6379',
        UTM_ENCRYPTION_KEY: key,
        QUEUE_PREFIX: '{x}',
      }),
    ).toEqual({
      databaseUrl: 'postgresql://u@h/db',
      redisUrl: 'redis://r:6379',
      encryptionKey: Buffer.from(key, 'hex'),
      queuePrefix: '{x}',
    });
    expect(() => loadSettings({ DATABASE_URL: 'mysql://x' })).toThrow(ConfigError);
  });

  it('turns unexpected errors into one-line INTERNAL_ERROR messages', () => {
    const e = toCliError(new Error('\nInvalid `prisma.user.create()` invocation:\n\n  code frame\n\nsomething broke'));
    expect({ code: e.code, message: e.message }).toEqual({ code: 'INTERNAL_ERROR', message: 'something broke' });
    expect(toCliError(Object.assign(new Error("x\nCan't reach database server"), { code: 'P1001' })).code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });
});
