import { Decimal } from '@utm/db';
import { BrokerError } from '../broker/types';

/**
 * Reading Alpaca's JSON without trusting it. A body that does not have the shape we rely on
 * is reported as BROKER_UNAVAILABLE with `uncertain`: the request may well have taken effect
 * (an order created whose answer we cannot read), so the caller must look the order up
 * rather than treat the call as refused.
 */
export type JsonRecord = Record<string, unknown>;

export function malformed(what: string): BrokerError {
  return new BrokerError('BROKER_UNAVAILABLE', `Alpaca sent a malformed ${what}`, { uncertain: true });
}

export function asRecord(value: unknown, what: string): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed(what);
  return value as JsonRecord;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw malformed(what);
  return value;
}

export function reqString(rec: JsonRecord, key: string, what: string): string {
  const v = rec[key];
  if (typeof v !== 'string' || v === '') throw malformed(`${what} (${key})`);
  return v;
}

/** Alpaca sends absent values as null (or omits them); an empty string means absent too. */
export function optString(rec: JsonRecord, key: string, what: string): string | null {
  const v = rec[key];
  if (v === null || v === undefined || v === '') return null;
  // Decimals are strings in Alpaca's JSON; a number here is accepted but never through a float.
  if (typeof v === 'number') return String(v);
  if (typeof v !== 'string') throw malformed(`${what} (${key})`);
  return v;
}

export function toDecimal(value: string, what: string): Decimal {
  try {
    const d = new Decimal(value);
    if (!d.isFinite()) throw new Error('not finite');
    return d;
  } catch (err) {
    throw new BrokerError('BROKER_UNAVAILABLE', `Alpaca sent a malformed ${what}: "${value}"`, {
      uncertain: true,
      cause: err,
    });
  }
}

export function optDecimal(rec: JsonRecord, key: string, what: string): Decimal | null {
  const v = optString(rec, key, what);
  return v === null ? null : toDecimal(v, `${what} (${key})`);
}

export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not JSON (an HTML error page from a proxy, say): the caller falls back to the status.
    return text;
  }
}
