/**
 * The paper market clock: a session closes at a local wall-clock time (MARKET_CLOSE, "HH:MM")
 * in an IANA time zone (MARKET_TIMEZONE) on every weekday. Holidays are not modelled: the paper
 * engine has no holiday calendar, and a DAY order placed on a holiday simply expires at that
 * day's close. Time zone offsets come from Intl (the ICU data in Node), so daylight saving
 * changes are those of the zone, without a dependency.
 */
export interface MarketClock {
  timeZone: string;
  /** Local close time, "HH:MM" (24 h). */
  close: string;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One formatter per zone: building them is the expensive part of Intl. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    // h23: midnight is 00, never 24 (some ICU versions print 24 with hour12: false).
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(epochMs: number, timeZone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const get = (k: string): number => parts[k] ?? 0;
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
}

/** The zone's offset from UTC at an instant, in ms (local wall clock read as UTC − the instant). */
function offsetAt(epochMs: number, timeZone: string): number {
  const w = wallClock(epochMs, timeZone);
  const wholeSeconds = Math.floor(epochMs / 1000) * 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - wholeSeconds;
}

/**
 * The instant a local wall-clock time occurs in a zone. The candidate offsets are those a day
 * before and a day after (zones do not change twice within two days); an offset is right when
 * the zone has it at the instant it gives. Ambiguous times (the repeated hour when clocks go
 * back) take the earlier instant: the close happens the first time the clock shows it. Times
 * that do not exist (skipped when clocks go forward) move forward by the gap, as
 * Temporal's "compatible" disambiguation does.
 */
function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): number {
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetAt(asUtc - DAY, timeZone);
  const after = offsetAt(asUtc + DAY, timeZone);
  const valid = [before, after].map((o) => asUtc - o).filter((t) => asUtc - offsetAt(t, timeZone) === t);
  if (valid.length) return Math.min(...valid);
  return asUtc - before;
}

function parseClose(close: string): { hour: number; minute: number } {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(close);
  if (!m) throw new Error(`market close must be HH:MM (got "${close}")`);
  return { hour: Number(m[1]), minute: Number(m[2]) };
}

/**
 * The first session close at or after `at`: today's close in the zone if `at` is a weekday
 * not past it, else the next weekday's. A DAY order placed exactly at the close therefore
 * gets that close and expires at once (the session is over), one placed after it or on a
 * weekend lives until the next weekday's close.
 */
export function sessionCloseAfter(at: Date, clock: MarketClock): Date {
  // The answer for `from` holds for every instant from `from` to that close (no close lies
  // between them), which is every placement of a session: one Intl computation per session.
  const key = `${clock.timeZone}\u0000${clock.close}`;
  const known = lastClose.get(key);
  const t = at.getTime();
  if (known && known.from <= t && t <= known.close) return new Date(known.close);
  const close = computeCloseAfter(at, clock);
  lastClose.set(key, { from: t, close: close.getTime() });
  return close;
}

/** Per clock, the last close computed and the instant it was computed for. */
const lastClose = new Map<string, { from: number; close: number }>();

function computeCloseAfter(at: Date, clock: MarketClock): Date {
  const { hour, minute } = parseClose(clock.close);
  const today = wallClock(at.getTime(), clock.timeZone);
  for (let ahead = 0; ahead <= 7; ahead += 1) {
    // Date.UTC normalises day overflow into the next month/year; its weekday is the local date's.
    const date = new Date(Date.UTC(today.year, today.month - 1, today.day + ahead));
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const close = zonedTime(
      date.getUTCFullYear(),
      date.getUTCMonth() + 1,
      date.getUTCDate(),
      hour,
      minute,
      clock.timeZone,
    );
    if (close >= at.getTime()) return new Date(close);
  }
  // Unreachable: five weekdays lie within any eight consecutive days.
  throw new Error('no weekday close found within a week');
}
