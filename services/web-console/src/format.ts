/**
 * Display formats. Decimals arrive as strings and are only regrouped, never parsed into
 * binary floats: what is shown is exactly what the API returned.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** "98497.5" → "98,497.5"; with minFraction 2 → "98,497.50". Null → "—". */
export function formatDecimal(value: string | null | undefined, minFraction = 0): string {
  if (value === null || value === undefined || value === '') return '—';
  const m = DECIMAL.exec(value);
  if (!m) return value;
  const [, sign = '', int = '0', frac = ''] = m;
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const f = frac.padEnd(minFraction, '0');
  return `${sign}${grouped}${f ? `.${f}` : ''}`;
}

export function formatMoney(value: string | null | undefined): string {
  return formatDecimal(value, 2);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function sameDay(a: Date, b: Date): boolean {
  return a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
}

/** Local time; the date too when it is not today. */
export function formatTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return sameDay(d, now) ? time : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** Local date and time to the millisecond (event timelines). */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** What a signal asked for, in words: "10", "5% of equity", "$1,000", "whole position". */
export function formatSize(request: Record<string, unknown>, action: string): string {
  const q = request.quantity;
  if (typeof q !== 'number' && typeof q !== 'string') {
    if (action.startsWith('close')) return 'whole position';
    if (action.startsWith('reverse')) return 'size of the closed position';
    return '—';
  }
  const n = String(q);
  switch (request.quantityType) {
    case 'PERCENT_EQUITY':
      return `${n}% of equity`;
    case 'DOLLAR_AMOUNT':
      return `$${formatDecimal(n)}`;
    case 'PERCENT_POSITION':
      return `${n}% of position`;
    default:
      return formatDecimal(n);
  }
}

/** "openLong" → "open long". */
export function formatAction(action: string): string {
  return action.replace(/([A-Z])/g, ' $1').toLowerCase();
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
