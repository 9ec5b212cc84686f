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

/** Local date and time to the second ("2026-12-02 14:03:27"): list rows always carry their date. */
export function formatTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Local date and time to the millisecond (event timelines). */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** What a signal asked for, in words: "10", "5% of equity", "$1,000", "whole position", "target 15". */
/** The signal's request as the gateway received it: a JSON object (anything else reads as empty). */
export function requestFields(request: unknown): Record<string, unknown> {
  return typeof request === 'object' && request !== null ? (request as Record<string, unknown>) : {};
}

export function formatSize(received: unknown, action: string): string {
  const request = requestFields(received);
  const q = request.quantity;
  if (request.sentiment === 'flat') return 'whole position';
  if (typeof q !== 'number' && typeof q !== 'string') {
    if (action.startsWith('close')) return 'whole position';
    if (action.startsWith('reverse')) return 'size of the closed position';
    return '—';
  }
  if (action === 'setPosition') return `target ${formatSize({ ...request, sentiment: undefined }, 'openLong')}`;
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

/** "openLong" → "open long"; TradingView's words with their sentiment: "buy (long)", "set position (short)". */
export function formatAction(action: string, sentiment?: unknown): string {
  const words = action.replace(/([A-Z])/g, ' $1').toLowerCase();
  return typeof sentiment === 'string' ? `${words} (${sentiment})` : words;
}

/** What was sent and, when it differs, what it was applied as: "buy (long) → reverse to long". */
export function formatApplied(action: string, sentiment: unknown, applied: string | null | undefined): string {
  const sent = formatAction(action, sentiment);
  return applied && applied !== action ? `${sent} → ${formatAction(applied)}` : sent;
}

export function shortId(id: string): string {
  return id.slice(0, 8);
}
