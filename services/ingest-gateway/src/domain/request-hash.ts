import { createHash } from 'node:crypto';
import type { IngestRequest } from '@utm/contracts';

/** JSON with object keys sorted at every level: equal content, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What "the same body" means for idempotency: the request's content, key order ignored,
 * and without the idempotency key itself (sent in the body or as a header, it is the same
 * signal).
 */
export function requestHash(req: IngestRequest): string {
  const { idempotencyKey: _key, ...content } = req;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}
