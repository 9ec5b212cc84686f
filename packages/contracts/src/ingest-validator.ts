import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { DECIMAL_STRING_PATTERN } from './decimal-text';
import type { ErrorDetail } from './errors';
import { addIngestKeywords } from './ingest-keywords';
import { INGEST_RULES } from './ingest-rules';
import { ingestRequestSchema, SYMBOL_UPPERCASE_PATTERN, type IngestRequest } from './ingest-schema';
import { SENT_AT_PATTERN } from './sent-at';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

/** ajv configured for the platform: strict schemas, every error at once. */
export function createAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    // Number fields are `number | string` (decimal strings); sentAt is `integer | string`.
    allowUnionTypes: true,
    coerceTypes: false,
  });
}

const DECIMAL_WORDS =
  'must be a number or a decimal string such as "150.25" (digits and one point: no exponent, no spaces)';
const SENT_AT_WORDS = 'must be an ISO-8601 time with an offset ("2024-05-01T14:30:00Z") or epoch milliseconds';

function fieldOf(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (child !== undefined) parts.push(child);
  return parts.length ? parts.join('.') : 'body';
}

/** The ingest rule an error comes from (its index in the schema's allOf), if any. */
function ruleOf(e: ErrorObject): (typeof INGEST_RULES)[number] | undefined {
  const m = /^#\/allOf\/(\d+)\//.exec(e.schemaPath);
  return m ? INGEST_RULES[Number(m[1])] : undefined;
}

function typeWords(field: string, type: unknown): string {
  if (field === 'body') return 'must be a JSON object';
  const t = Array.isArray(type) ? type.join(',') : String(type);
  if (t === 'number,string') return DECIMAL_WORDS;
  if (t === 'integer,string') return SENT_AT_WORDS;
  return `must be of type ${t}`;
}

/** One ajv error as `{field, message}` in the words a webhook author can act on. */
export function describeError(e: ErrorObject): ErrorDetail | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
    case 'anyOf':
      return null; // the failing branch reports the real reason
    case 'required': {
      const missing = String(p.missingProperty);
      return { field: fieldOf(e.instancePath, missing), message: ruleOf(e)?.required?.[missing] ?? 'is required' };
    }
    case 'additionalProperties':
      return { field: fieldOf(e.instancePath, String(p.additionalProperty)), message: 'is not a known field' };
    case 'false schema': {
      const field = fieldOf(e.instancePath);
      return { field, message: ruleOf(e)?.forbidden?.[field] ?? 'is not allowed here' };
    }
    case 'type': {
      const field = fieldOf(e.instancePath);
      return { field, message: typeWords(field, p.type) };
    }
    case 'enum':
      return {
        field: fieldOf(e.instancePath),
        message: `must be one of: ${(p.allowedValues as unknown[]).join(', ')}`,
      };
    case 'pattern': {
      const field = fieldOf(e.instancePath);
      if (field === 'symbol') {
        return p.pattern === SYMBOL_UPPERCASE_PATTERN
          ? { field, message: 'Symbol must be uppercase' }
          : {
              field,
              message:
                'Symbol must be 1-15 characters of A-Z, 0-9, ".", "/", "-", starting with a letter, after at most one exchange prefix ("NASDAQ:AAPL")',
            };
      }
      if (p.pattern === DECIMAL_STRING_PATTERN) return { field, message: DECIMAL_WORDS };
      if (p.pattern === SENT_AT_PATTERN) return { field, message: SENT_AT_WORDS };
      return { field, message: `must match ${String(p.pattern)}` };
    }
    case 'minLength':
      return {
        field: fieldOf(e.instancePath),
        message: p.limit === 1 ? 'must not be empty' : `must be at least ${String(p.limit)} characters`,
      };
    case 'maxLength':
      return { field: fieldOf(e.instancePath), message: `must be at most ${String(p.limit)} characters` };
    case 'exclusiveMinimum':
      return { field: fieldOf(e.instancePath), message: `must be greater than ${String(p.limit)}` };
    case 'minimum':
      return { field: fieldOf(e.instancePath), message: `must be at least ${String(p.limit)}` };
    case 'maximum':
      return { field: fieldOf(e.instancePath), message: `must be at most ${String(p.limit)}` };
    case 'minItems':
      return { field: fieldOf(e.instancePath), message: `must have at least ${String(p.limit)} item(s)` };
    case 'maxItems':
      return { field: fieldOf(e.instancePath), message: `must have at most ${String(p.limit)} items` };
    case 'uniqueItems':
      return { field: fieldOf(e.instancePath), message: 'must not list an item twice' };
    case 'minProperties':
      return { field: fieldOf(e.instancePath), message: 'must contain at least one rule' };
    case 'x-decimal':
    case 'x-sent-at':
      return { field: fieldOf(e.instancePath), message: String(p.message) };
    default:
      return { field: fieldOf(e.instancePath), message: e.message ?? 'is invalid' };
  }
}

export function describeErrors(errors: ErrorObject[] | null | undefined): ErrorDetail[] {
  const seen = new Set<string>();
  const out: ErrorDetail[] = [];
  for (const e of errors ?? []) {
    const d = describeError(e);
    if (!d) continue;
    const key = `${d.field}\u0000${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

export function createValidator<T>(validate: ValidateFunction<T>): (data: unknown) => ValidationResult<T> {
  return (data) =>
    validate(data) ? { ok: true, value: data } : { ok: false, details: describeErrors(validate.errors) };
}

export interface IngestValidatorOptions {
  ajv?: Ajv;
  /** The clock `sentAt` is held against (epoch ms). */
  now?: () => number;
}

/** Compiled once per process: validation is on the hot path of every webhook call. */
export function createIngestValidator(
  opts: IngestValidatorOptions = {},
): (data: unknown) => ValidationResult<IngestRequest> {
  const ajv = addIngestKeywords(opts.ajv ?? createAjv(), opts.now);
  return createValidator(ajv.compile(ingestRequestSchema));
}
