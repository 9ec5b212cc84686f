import { createRiskSettingsValidator, riskSettingsView } from '../src';

const validate = createRiskSettingsValidator();
const every = {
  maxDailyLoss: '2500.50',
  autoResume: true,
  maxTradesPerDay: 20,
  maxOpenPositions: 5,
  tradingWindows: [{ days: ['MON', 'TUE', 'WED', 'THU', 'FRI'], start: '09:30', end: '15:55' }],
  timezone: 'America/New_York',
  flattenAt: '15:55',
  maxSignalAgeSeconds: 30,
  maxOrderNotional: 10000,
  maxPositionQuantity: '100',
  allowedSymbols: ['AAPL', 'BRK.B', 'BTC/USD'],
};

describe('account risk settings: the document', () => {
  it('takes every setting of the risk table, each optional, null to remove it', () => {
    expect(validate(every)).toEqual({ ok: true, value: every });
    expect(validate({})).toEqual({ ok: true, value: {} });
    const removed = Object.fromEntries(Object.keys(every).map((k) => [k, null]));
    expect(validate(removed)).toEqual({ ok: true, value: removed });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['an unknown setting', { maxSignalAge: 30 }, 'maxSignalAge', /not a known field/],
    ['a signal age of 0', { maxSignalAgeSeconds: 0 }, 'maxSignalAgeSeconds', /at least 1/],
    ['a fractional signal age', { maxSignalAgeSeconds: 1.5 }, 'maxSignalAgeSeconds', /integer/],
    ['a negative daily loss', { maxDailyLoss: '-5' }, 'maxDailyLoss', /greater than 0/],
    ['a decimal with an exponent', { maxOrderNotional: '1e4' }, 'maxOrderNotional', /decimal string/],
    ['a time of 24:00', { flattenAt: '24:00' }, 'flattenAt', /must match/],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 'timezone', /IANA time zone/],
    [
      'a window without days',
      { tradingWindows: [{ days: [], start: '09:30', end: '16:00' }] },
      'tradingWindows.0.days',
      /at least 1/,
    ],
    [
      'a window on a holiday',
      { tradingWindows: [{ days: ['XMAS'], start: '09:30', end: '16:00' }] },
      'tradingWindows.0.days.0',
      /one of: MON/,
    ],
    ['a lowercase symbol', { allowedSymbols: ['aapl'] }, 'allowedSymbols.0', /must match/],
  ])('refuses %s on its field', (_name, body, field, message) => {
    const r = validate(body);
    expect(r.ok ? [] : r.details).toEqual([{ field, message: expect.stringMatching(message) }]);
  });

  it('reads back every setting, null where not set, decimals as strings', () => {
    const accountId = 'acc';
    expect(riskSettingsView(accountId, null)).toEqual({
      accountId,
      ...Object.fromEntries(Object.keys(every).map((k) => [k, null])),
    });
  });
});
