/**
 * `sentAt`: when the sender says it sent the signal — TradingView's {{timenow}}, an ISO-8601
 * time in UTC such as "2019-08-27T09:56:00Z" — as ISO-8601 with an offset ("Z" or "+02:00";
 * without one the time would be ambiguous), or as epoch milliseconds (a JSON integer or a
 * string of digits). The processor compares it with the moment it decides the signal
 * (the account's `maxSignalAgeSeconds`); the gateway refuses one too far in the future.
 */
export const SENT_AT_ISO_PATTERN =
  '^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$';
export const SENT_AT_EPOCH_PATTERN = '^[0-9]{1,15}$';
export const SENT_AT_PATTERN = `${SENT_AT_EPOCH_PATTERN}|${SENT_AT_ISO_PATTERN}`;
const ISO = new RegExp(SENT_AT_ISO_PATTERN);
const EPOCH = new RegExp(SENT_AT_EPOCH_PATTERN);

/** How far ahead of the receiver's clock a sentAt may be (clock skew), in seconds. */
export const MAX_SENT_AT_FUTURE_SECONDS = 60;

export type SentAtInput = number | string;

function isoMillis(text: string): number | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offset = m[8] ?? 'Z';
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  // The day must exist in that month (Date.UTC would roll 30 February over into March).
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > daysInMonth) return null;
  if (offset !== 'Z') {
    const [oh, om] = offset.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) return null;
  }
  const millis = Date.parse(text);
  return Number.isNaN(millis) ? null : millis;
}

/** Epoch milliseconds of a sentAt value, or null when it is not one of the accepted forms. */
export function sentAtMillis(value: SentAtInput): number | null {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : null;
  if (EPOCH.test(value)) return Number(value);
  return isoMillis(value);
}

/** Why a sentAt value is refused at `now` (epoch ms), or null when it is fine. */
export function sentAtProblem(value: SentAtInput, now: number): string | null {
  const millis = sentAtMillis(value);
  if (millis === null) {
    return typeof value === 'number'
      ? 'must be epoch milliseconds (a non-negative integer)'
      : 'must be an ISO-8601 time with an offset ("2024-05-01T14:30:00Z") or epoch milliseconds';
  }
  const ahead = (millis - now) / 1000;
  return ahead > MAX_SENT_AT_FUTURE_SECONDS
    ? `is ${Math.round(ahead)} s in the future; at most ${MAX_SENT_AT_FUTURE_SECONDS} s ahead of the receiver's clock is accepted`
    : null;
}
