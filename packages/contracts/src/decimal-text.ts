/**
 * Decimal strings in requests ("150.25", "10"): TradingView's placeholders are often quoted,
 * so every number field also takes its value as text. The grammar is strict — an optional
 * minus, digits, at most one point followed by digits; no exponent, no spaces, no "+", no
 * leading or trailing point — and a value has at most 30 significant digits. Anything else
 * ("abc", "", "1e5", "NaN", " 1") is refused on its field.
 *
 * Comparisons are exact (integers scaled to a common number of fractional digits, as BigInt):
 * a decimal string is never turned into a binary float, here or anywhere after.
 */
export const DECIMAL_STRING_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';
const DECIMAL_STRING = new RegExp(DECIMAL_STRING_PATTERN);
export const MAX_SIGNIFICANT_DIGITS = 30;

/** A number field's value as a request may carry it: a JSON number, or a decimal string. */
export type DecimalInput = number | string;

export function isDecimalString(text: string): boolean {
  return DECIMAL_STRING.test(text);
}

/** Digits from the first non-zero one to the last digit written ("0.0500" → 3, "100" → 3, "0" → 1). */
export function significantDigits(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  return Math.max(1, digits.length);
}

interface Scaled {
  /** The value × 10^scale, exactly. */
  units: bigint;
  scale: number;
}

function scaled(text: string): Scaled {
  const negative = text.startsWith('-');
  const [int = '0', frac = ''] = text.replace(/^-/, '').split('.');
  const units = BigInt(`${int}${frac}`);
  return { units: negative ? -units : units, scale: frac.length };
}

/** A schema's bound (0, 100, 10^12: integers) as exact decimal text. */
function boundText(n: number): string {
  if (!Number.isSafeInteger(n)) throw new RangeError(`decimal bounds are safe integers, not ${n}`);
  return BigInt(n).toString();
}

/**
 * Compares a decimal string (matching the grammar) with a bound: -1, 0 or 1 as `text` is
 * below, equal to or above it. Exact for any length of either.
 */
export function compareDecimal(text: string, bound: number | string): number {
  const a = scaled(text);
  const b = scaled(typeof bound === 'number' ? boundText(bound) : bound);
  const scale = Math.max(a.scale, b.scale);
  const x = a.units * 10n ** BigInt(scale - a.scale);
  const y = b.units * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The problem with a decimal string beyond its grammar (too many digits), or null. */
export function decimalStringProblem(text: string): string | null {
  if (!isDecimalString(text)) return null;
  const digits = significantDigits(text);
  return digits > MAX_SIGNIFICANT_DIGITS
    ? `has ${digits} significant digits; at most ${MAX_SIGNIFICANT_DIGITS} are accepted`
    : null;
}
