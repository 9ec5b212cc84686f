/**
 * Removes API keys and other secrets from anything about to be logged: header and field
 * names that hold secrets, `apiKey=` in query strings and URLs, and any string shaped like
 * one of our keys. Nothing is kept, not even a prefix.
 */
export const REDACTED = '[REDACTED]';

const SECRET_FIELD =
  /^(x-api-key|apikey|api_key|authorization|proxy-authorization|cookie|set-cookie|password|secret|token|admintoken|admin_token|alpacasecret|alpaca_secret|alpaca-secret|secretkey|x-admin-token|apca-api-secret-key|apca-api-key-id|credentials|brokercredentials)$/i;
// apiKey / api_key / x-api-key as a query parameter, in any case, up to the next separator.
const QUERY_KEY = /([?&;](?:api[-_]?key|x-api-key|token|secret)=)[^&#\s"']*/gi;
// Our own key format (see @utm/contracts apiKeyShape), caught wherever it appears.
const KEY_SHAPE = /\butm_(?:paper|live)_[A-Za-z0-9_-]{8,}/g;

export function redactString(value: string): string {
  return value.replace(QUERY_KEY, `$1${REDACTED}`).replace(KEY_SHAPE, REDACTED);
}

export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactString(value.message),
      stack: value.stack ? redactString(value.stack) : undefined,
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELD.test(k) ? REDACTED : redact(v, depth + 1, seen);
  }
  return out;
}
