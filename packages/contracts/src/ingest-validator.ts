import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { ErrorDetail } from './errors';
import { ingestRequestSchema, SYMBOL_UPPERCASE_PATTERN, type IngestRequest } from './ingest-schema';

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

/** ajv configured for the platform: strict schemas, every error at once. */
export function createAjv(): Ajv {
  return new Ajv({
    allErrors: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: false,
    coerceTypes: false,
  });
}

const FORBIDDEN_FIELD: Record<string, string> = {
  limitPrice: 'is only allowed with orderType LIMIT or STOP_LIMIT',
  stopPrice: 'is only allowed with orderType STOP or STOP_LIMIT',
  exitRules: 'is only allowed with openLong, openShort, reverseToLong and reverseToShort',
};

const REQUIRED_BECAUSE: Record<string, string> = {
  quantity: 'is required for openLong and openShort',
  limitPrice: 'is required for orderType LIMIT and STOP_LIMIT',
  stopPrice: 'is required for orderType STOP and STOP_LIMIT',
};

function fieldOf(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (child !== undefined) parts.push(child);
  return parts.length ? parts.join('.') : 'body';
}

/** One ajv error as `{field, message}` in the words a webhook author can act on. */
export function describeError(e: ErrorObject): ErrorDetail | null {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
      return null; // the failing branch reports the real reason
    case 'required': {
      const missing = String(p.missingProperty);
      const conditional = e.schemaPath.includes('/then/');
      return {
        field: fieldOf(e.instancePath, missing),
        message: (conditional && REQUIRED_BECAUSE[missing]) || 'is required',
      };
    }
    case 'additionalProperties':
      return { field: fieldOf(e.instancePath, String(p.additionalProperty)), message: 'is not a known field' };
    case 'false schema': {
      const field = fieldOf(e.instancePath);
      return { field, message: FORBIDDEN_FIELD[field] ?? 'is not allowed here' };
    }
    case 'type': {
      const field = fieldOf(e.instancePath);
      return { field, message: field === 'body' ? 'must be a JSON object' : `must be of type ${String(p.type)}` };
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
          : { field, message: 'Symbol must be 1-15 characters of A-Z, 0-9, ".", "/", "-", starting with a letter' };
      }
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
    case 'maximum':
      return { field: fieldOf(e.instancePath), message: `must be at most ${String(p.limit)}` };
    case 'minProperties':
      return { field: fieldOf(e.instancePath), message: 'must contain at least one rule' };
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

/** Compiled once per process: validation is on the hot path of every webhook call. */
export function createIngestValidator(ajv: Ajv = createAjv()): (data: unknown) => ValidationResult<IngestRequest> {
  return createValidator(ajv.compile(ingestRequestSchema));
}
