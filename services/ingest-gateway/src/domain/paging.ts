import { AppError, type ErrorDetail } from '@utm/contracts';

/** Opaque cursors over a `seq` column (newest first): base64url of the last seq seen. */
export function encodeCursor(seq: bigint): string {
  return Buffer.from(`s${seq.toString()}`).toString('base64url');
}

export function decodeCursor(cursor: string): bigint | null {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^s\d{1,19}$/.test(text) ? BigInt(text.slice(1)) : null;
}

export interface PageQuery {
  limit: number;
  before: bigint | null;
}

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

/** Parses `limit` and `cursor`, reporting every bad parameter as a VALIDATION_ERROR. */
export function parsePage(query: Record<string, unknown>, details: ErrorDetail[]): PageQuery {
  let limit = DEFAULT_LIMIT;
  if (query.limit !== undefined) {
    const n = typeof query.limit === 'string' && /^\d{1,4}$/.test(query.limit) ? Number(query.limit) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT)
      details.push({ field: 'limit', message: `must be an integer from 1 to ${MAX_LIMIT}` });
    else limit = n;
  }
  let before: bigint | null = null;
  if (query.cursor !== undefined) {
    before = typeof query.cursor === 'string' ? decodeCursor(query.cursor) : null;
    if (before === null) details.push({ field: 'cursor', message: 'is not a cursor returned by this API' });
  }
  return { limit, before };
}

export function enumParam<T extends string>(
  query: Record<string, unknown>,
  name: string,
  values: readonly T[],
  details: ErrorDetail[],
): T | undefined {
  const v = query[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  details.push({ field: name, message: `must be one of: ${values.join(', ')}` });
  return undefined;
}

export function throwIfInvalid(details: ErrorDetail[]): void {
  if (details.length) throw new AppError('VALIDATION_ERROR', 'Invalid query parameters', { details });
}

/** Takes `limit + 1` rows, returns `limit` of them and the cursor for the next page. */
export function page<T extends { seq: bigint }>(rows: T[], limit: number): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
}
