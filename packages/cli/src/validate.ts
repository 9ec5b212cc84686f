import { isUuid } from '@utm/contracts';
import { invalid } from './errors';

/** Non-negative decimals that fit NUMERIC(30,10): up to 20 integer and 10 fractional digits. */
const DECIMAL = /^\d{1,20}(\.\d{1,10})?$/;

export function uuidFlag(flag: string, value: string): string {
  const v = value.trim();
  if (!isUuid(v)) throw invalid(flag, `must be a UUID (got "${v}")`);
  return v.toLowerCase();
}

/** A decimal kept as a string end to end (never a binary float). */
export function decimalFlag(flag: string, value: string, { positive }: { positive: boolean }): string {
  const v = value.trim();
  if (!DECIMAL.test(v))
    throw invalid(
      flag,
      `must be a decimal number like 100000 or 150.25 (at most 20 digits before and 10 after the point; got "${v}")`,
    );
  if (positive && !/[1-9]/.test(v)) throw invalid(flag, 'must be greater than 0');
  return v;
}

export function intFlag(flag: string, value: string, min: number, max: number): number {
  const v = value.trim();
  const n = /^\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max)
    throw invalid(flag, `must be an integer from ${min} to ${max} (got "${v}")`);
  return n;
}

/** One of `values`, matched case-insensitively and returned as spelled in `values`. */
export function oneOfFlag<T extends string>(flag: string, value: string, values: readonly T[]): T {
  const v = value.trim();
  const hit = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!hit) throw invalid(flag, `must be one of ${values.join(', ')} (got "${v}")`);
  return hit;
}

export function nonEmptyFlag(flag: string, value: string, max = 200): string {
  const v = value.trim();
  if (!v) throw invalid(flag, 'must not be empty');
  if (v.length > max) throw invalid(flag, `must be at most ${max} characters`);
  return v;
}
