import { createFixture } from '@utm/testkit';
import { Harness, UNKNOWN_ID } from './harness';

const h = new Harness();
afterAll(() => h.close());

const settingsRow = (accountId: string) => h.prisma.accountRiskSettings.findUnique({ where: { accountId } });

describe('utm account risk', () => {
  it('shows an account without settings: every setting null', async () => {
    const f = await createFixture(h.prisma);
    const { code, body } = await h.json(['account', 'risk', '--account', f.accountId]);
    expect(code).toBe(0);
    expect(body).toEqual({
      accountId: f.accountId,
      maxDailyLoss: null,
      autoResume: null,
      maxTradesPerDay: null,
      maxOpenPositions: null,
      tradingWindows: null,
      timezone: null,
      flattenAt: null,
      maxSignalAgeSeconds: null,
      maxOrderNotional: null,
      maxPositionQuantity: null,
      allowedSymbols: null,
    });
    expect(await settingsRow(f.accountId)).toBeNull();
  });

  it('sets --max-signal-age-seconds (and the other limits), keeps what is not given, removes with none', async () => {
    const f = await createFixture(h.prisma);
    const set = await h.json(['account', 'risk', '--account', f.accountId, '--max-signal-age-seconds', '30']);
    expect(set.body).toMatchObject({ maxSignalAgeSeconds: 30, maxOrderNotional: null });
    expect((await settingsRow(f.accountId))?.maxSignalAgeSeconds).toBe(30);

    const more = await h.json([
      'account',
      'risk',
      '--account',
      f.accountId,
      '--max-order-notional',
      '1234567.0123456789',
      '--allowed-symbols',
      'AAPL, BRK.B,BTC/USD',
    ]);
    expect(more.body).toMatchObject({
      maxSignalAgeSeconds: 30, // kept
      maxOrderNotional: '1234567.0123456789', // exact: a decimal string end to end
      allowedSymbols: ['AAPL', 'BRK.B', 'BTC/USD'],
    });

    const removed = await h.json(['account', 'risk', '--account', f.accountId, '--max-signal-age-seconds', 'none']);
    expect(removed.body).toMatchObject({ maxSignalAgeSeconds: null, allowedSymbols: ['AAPL', 'BRK.B', 'BTC/USD'] });
    const human = await h.run(['account', 'risk', '--account', f.accountId, '--allowed-symbols', 'none']);
    expect(human.stdout).toContain(`risk settings of account ${f.accountId}:`);
    expect(human.stdout).toContain('  maxSignalAgeSeconds: not set');
    expect(human.stdout).toContain('  allowedSymbols: not set');
    expect(human.stdout).toContain('  maxOrderNotional: 1234567.0123456789');
  });

  it.each<[string, string[], { field: string; message: RegExp }[]]>([
    ['zero seconds', ['--max-signal-age-seconds', '0'], [{ field: '--max-signal-age-seconds', message: /at least 1/ }]],
    [
      'fractional seconds',
      ['--max-signal-age-seconds', '1.5'],
      [{ field: '--max-signal-age-seconds', message: /integer/ }],
    ],
    [
      'more than a year',
      ['--max-signal-age-seconds', '31536001'],
      [{ field: '--max-signal-age-seconds', message: /at most 31536000/ }],
    ],
    [
      'a negative notional',
      ['--max-order-notional', '-1'],
      [{ field: '--max-order-notional', message: /greater than 0/ }],
    ],
    [
      'an exponent',
      ['--max-position-quantity', '1e3'],
      [{ field: '--max-position-quantity', message: /decimal string/ }],
    ],
    ['a lowercase symbol', ['--allowed-symbols', 'aapl'], [{ field: '--allowed-symbols', message: /must match/ }]],
  ])('refuses %s, naming the flag, and changes nothing', async (_name, flags, expected) => {
    const f = await createFixture(h.prisma);
    const { code, body } = await h.json<{ error: string; details: unknown[] }>([
      'account',
      'risk',
      '--account',
      f.accountId,
      ...flags,
    ]);
    expect(code).toBe(1);
    expect(body.error).toBe('VALIDATION_ERROR');
    expect(body.details).toEqual(expected.map((e) => ({ field: e.field, message: expect.stringMatching(e.message) })));
    expect(await settingsRow(f.accountId)).toBeNull();
  });

  it('an unknown account: ACCOUNT_NOT_FOUND', async () => {
    const { code, body } = await h.json(['account', 'risk', '--account', UNKNOWN_ID, '--max-signal-age-seconds', '5']);
    expect({ code, error: body.error }).toEqual({ code: 1, error: 'ACCOUNT_NOT_FOUND' });
  });
});
