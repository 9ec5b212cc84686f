import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys: `utm_<mode>_<32 random base64url chars>` (192 bits). Only the sha256 is
 * stored; the first characters are kept as a visible prefix so a human can tell keys apart.
 * The shape is also what the logger scrubs wherever it appears.
 */
export type KeyMode = 'PAPER' | 'LIVE';

export const API_KEY_PATTERN = /^utm_(paper|live)_[A-Za-z0-9_-]{32}$/;
const PREFIX_LENGTH = 14; // "utm_paper_" + 4 characters

export interface NewApiKey {
  apiKey: string;
  keyHash: string;
  prefix: string;
}

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

export function generateApiKey(mode: KeyMode): NewApiKey {
  const apiKey = `utm_${mode.toLowerCase()}_${randomBytes(24).toString('base64url')}`;
  return { apiKey, keyHash: hashApiKey(apiKey), prefix: apiKey.slice(0, PREFIX_LENGTH) };
}

/** Constant-time comparison of two hex digests of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
