import type { AnySchemaObject, ErrorObject, KeywordDefinition } from 'ajv';
import { compareDecimal, decimalStringProblem, isDecimalString } from './decimal-text';
import { SENT_AT_PATTERN, sentAtProblem } from './sent-at';

const SENT_AT_FORM = new RegExp(SENT_AT_PATTERN);

/**
 * The two keywords of the ingest schema that JSON Schema has no word for. Both are
 * specification extensions (`x-`) in the OpenAPI document; a validator that does not know
 * them still applies the standard keywords beside them (type, pattern, numeric bounds).
 *
 * - `x-decimal`: a decimal string is held to its schema's numeric bounds (minimum,
 *   exclusiveMinimum, maximum, exclusiveMaximum), compared exactly, and to 30 significant
 *   digits. Strings outside the grammar are left to `pattern`.
 * - `x-sent-at`: the value is a time that exists (no 30 February) and is not more than 60 s
 *   ahead of the validator's clock.
 */
type Bound = {
  keyword: 'minimum' | 'exclusiveMinimum' | 'maximum' | 'exclusiveMaximum';
  holds: (c: number) => boolean;
};
const BOUNDS: Bound[] = [
  { keyword: 'minimum', holds: (c) => c >= 0 },
  { keyword: 'exclusiveMinimum', holds: (c) => c > 0 },
  { keyword: 'maximum', holds: (c) => c <= 0 },
  { keyword: 'exclusiveMaximum', holds: (c) => c < 0 },
];
const BOUND_WORDS: Record<Bound['keyword'], string> = {
  minimum: 'must be at least',
  exclusiveMinimum: 'must be greater than',
  maximum: 'must be at most',
  exclusiveMaximum: 'must be less than',
};

function failure(keyword: string, message: string): Partial<ErrorObject> {
  return { keyword, message, params: { message } };
}

/** Any ajv instance (draft-07 or 2020-12) that keywords can be added to. */
export interface KeywordHost {
  addKeyword(definition: KeywordDefinition): unknown;
}

export function addIngestKeywords<A extends KeywordHost>(ajv: A, now: () => number = Date.now): A {
  ajv.addKeyword({
    keyword: 'x-decimal',
    type: 'string',
    schemaType: 'boolean',
    errors: true,
    validate: function xDecimal(enabled: boolean, data: string, parent?: AnySchemaObject): boolean {
      const self = xDecimal as unknown as { errors?: Partial<ErrorObject>[] };
      self.errors = [];
      if (!enabled || !isDecimalString(data)) return true;
      const digits = decimalStringProblem(data);
      if (digits) self.errors.push(failure('x-decimal', digits));
      for (const b of BOUNDS) {
        const limit: unknown = parent?.[b.keyword];
        if (typeof limit === 'number' && !b.holds(compareDecimal(data, limit)))
          self.errors.push(failure('x-decimal', `${BOUND_WORDS[b.keyword]} ${limit}`));
      }
      return self.errors.length === 0;
    },
  });
  ajv.addKeyword({
    keyword: 'x-sent-at',
    schemaType: 'boolean',
    errors: true,
    validate: function xSentAt(enabled: boolean, data: unknown): boolean {
      const self = xSentAt as unknown as { errors?: Partial<ErrorObject>[] };
      self.errors = [];
      // Values of the wrong form are left to type, minimum and pattern (one message each).
      if (!enabled) return true;
      if (typeof data === 'number' && !(Number.isSafeInteger(data) && data >= 0)) return true;
      if (typeof data === 'string' && !SENT_AT_FORM.test(data)) return true;
      if (typeof data !== 'number' && typeof data !== 'string') return true;
      const problem = sentAtProblem(data, now());
      if (problem) self.errors.push(failure('x-sent-at', problem));
      return problem === null;
    },
  });
  return ajv;
}
