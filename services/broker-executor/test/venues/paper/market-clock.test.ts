import { sessionCloseAfter } from '../../../src/venues/paper/market-clock';

const close = (at: string, timeZone: string, hhmm: string): string =>
  sessionCloseAfter(new Date(at), { timeZone, close: hhmm }).toISOString();

describe('sessionCloseAfter: the first weekday close at or after an instant', () => {
  // [name, at (UTC), time zone, close, expected close (UTC)]
  const cases: [string, string, string, string, string][] = [
    // New York, winter (EST, UTC−5): 16:00 is 21:00Z.
    [
      'a Wednesday morning: that day',
      '2026-11-25T15:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-25T21:00:00.000Z',
    ],
    [
      'exactly at the close: that close',
      '2026-11-25T21:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-25T21:00:00.000Z',
    ],
    [
      'a millisecond after: the next day (holidays are not modelled)',
      '2026-11-25T21:00:00.001Z',
      'America/New_York',
      '16:00',
      '2026-11-26T21:00:00.000Z',
    ],
    [
      'the local date, not the UTC one (Wed 21:00 local is Thu in UTC)',
      '2026-11-26T02:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-26T21:00:00.000Z',
    ],
    [
      'Friday after the close: Monday',
      '2026-11-27T22:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-30T21:00:00.000Z',
    ],
    [
      'Friday evening local, already Saturday in UTC: Monday',
      '2026-11-28T03:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-30T21:00:00.000Z',
    ],
    ['Saturday: Monday', '2026-11-28T15:00:00.000Z', 'America/New_York', '16:00', '2026-11-30T21:00:00.000Z'],
    ['Sunday night: Monday', '2026-11-30T04:59:00.000Z', 'America/New_York', '16:00', '2026-11-30T21:00:00.000Z'],
    ['the year turns', '2026-12-31T21:30:00.000Z', 'America/New_York', '16:00', '2027-01-01T21:00:00.000Z'],
    // Clocks go forward on Sunday 8 March 2026: Friday's close is 21:00Z, Monday's 20:00Z.
    [
      'before DST starts: Friday EST',
      '2026-03-06T20:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-03-06T21:00:00.000Z',
    ],
    [
      'across the start of DST: Monday EDT',
      '2026-03-06T21:30:00.000Z',
      'America/New_York',
      '16:00',
      '2026-03-09T20:00:00.000Z',
    ],
    [
      'on the Sunday of the change: Monday EDT',
      '2026-03-08T07:30:00.000Z',
      'America/New_York',
      '16:00',
      '2026-03-09T20:00:00.000Z',
    ],
    // Clocks go back on Sunday 1 November 2026: Friday's close is 20:00Z, Monday's 21:00Z.
    [
      'before DST ends: Friday EDT',
      '2026-10-30T19:00:00.000Z',
      'America/New_York',
      '16:00',
      '2026-10-30T20:00:00.000Z',
    ],
    [
      'across the end of DST: Monday EST',
      '2026-10-30T20:30:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-02T21:00:00.000Z',
    ],
    [
      'between 20:00Z and 21:00Z on the Monday after: still open',
      '2026-11-02T20:30:00.000Z',
      'America/New_York',
      '16:00',
      '2026-11-02T21:00:00.000Z',
    ],
    // London: GMT in winter, BST (UTC+1) in summer; BST ends Sunday 25 October 2026.
    ['London in winter', '2026-11-25T10:00:00.000Z', 'Europe/London', '16:30', '2026-11-25T16:30:00.000Z'],
    ['London in summer', '2026-07-15T10:00:00.000Z', 'Europe/London', '16:30', '2026-07-15T15:30:00.000Z'],
    ['London across the end of BST', '2026-10-23T16:00:00.000Z', 'Europe/London', '16:30', '2026-10-26T16:30:00.000Z'],
    [
      'London across the start of BST (29 March 2026)',
      '2026-03-27T17:00:00.000Z',
      'Europe/London',
      '16:30',
      '2026-03-30T15:30:00.000Z',
    ],
    // East of UTC the local date runs ahead.
    [
      'Tokyo: Wednesday 05:00 local is Tuesday in UTC',
      '2026-11-24T20:00:00.000Z',
      'Asia/Tokyo',
      '15:00',
      '2026-11-25T06:00:00.000Z',
    ],
    [
      'a midnight close is the start of the next local day',
      '2026-11-25T15:00:00.000Z',
      'America/New_York',
      '00:00',
      '2026-11-26T05:00:00.000Z',
    ],
    [
      'a midnight close on Friday: Monday 00:00',
      '2026-11-27T15:00:00.000Z',
      'America/New_York',
      '00:00',
      '2026-11-30T05:00:00.000Z',
    ],
  ];

  it.each(cases)('%s', (_name, at, timeZone, hhmm, expected) => {
    expect(close(at, timeZone, hhmm)).toBe(expected);
  });

  // Closes inside the changed hour, on zones that changed clocks on a weekday (Iran, 2021).
  it('a close that does not exist (clocks forward at midnight, Mon 22 Mar 2021) moves forward by the gap', () => {
    expect(close('2021-03-21T20:00:00.000Z', 'Asia/Tehran', '00:30')).toBe('2021-03-21T21:00:00.000Z'); // 01:30 IRDT
  });

  it('a close that happens twice (clocks back at midnight, Tue 21 Sep 2021) is the first; after it, the next day', () => {
    expect(close('2021-09-21T12:00:00.000Z', 'Asia/Tehran', '23:30')).toBe('2021-09-21T19:00:00.000Z'); // 23:30 IRDT
    expect(close('2021-09-21T19:30:00.000Z', 'Asia/Tehran', '23:30')).toBe('2021-09-22T20:00:00.000Z');
  });

  it('rejects a close that is not HH:MM, and an unknown zone', () => {
    expect(() => close('2026-11-25T15:00:00.000Z', 'America/New_York', '4pm')).toThrow(
      'market close must be HH:MM (got "4pm")',
    );
    expect(() => close('2026-11-25T15:00:00.000Z', 'America/New_York', '24:00')).toThrow('HH:MM');
    expect(() => close('2026-11-25T15:00:00.000Z', 'Mars/Olympus_Mons', '16:00')).toThrow(RangeError);
  });
});
