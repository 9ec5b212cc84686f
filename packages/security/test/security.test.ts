import { randomBytes } from 'node:crypto';
import { API_KEY_PATTERN, decryptSecret, encryptSecret, generateApiKey, hashApiKey, sameHash } from '../src';

describe('api keys', () => {
  it('generates distinct keys of the documented shape, with hash and prefix', () => {
    const a = generateApiKey('PAPER');
    const b = generateApiKey('LIVE');
    expect(a.apiKey).toMatch(API_KEY_PATTERN);
    expect(b.apiKey.startsWith('utm_live_')).toBe(true);
    expect(a.apiKey).not.toBe(generateApiKey('PAPER').apiKey);
    expect(a.keyHash).toBe(hashApiKey(a.apiKey));
    expect(a.keyHash).toMatch(/^[0-9a-f]{64}$/);
    expect(a.apiKey.startsWith(a.prefix)).toBe(true);
    expect(a.prefix.length).toBe(14);
    expect(sameHash(a.keyHash, hashApiKey(a.apiKey))).toBe(true);
    expect(sameHash(a.keyHash, b.keyHash)).toBe(false);
  });
});

describe('secrets', () => {
  const key = randomBytes(32);
  it('round-trips and binds the ciphertext to its account', () => {
    const blob = encryptSecret(key, '{"keyId":"K","secretKey":"S"}', 'acct-1');
    expect(blob.toString('utf8')).not.toContain('secretKey');
    expect(decryptSecret(key, blob, 'acct-1')).toBe('{"keyId":"K","secretKey":"S"}');
    expect(() => decryptSecret(key, blob, 'acct-2')).toThrow();
    expect(() => decryptSecret(randomBytes(32), blob, 'acct-1')).toThrow();
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => decryptSecret(key, tampered, 'acct-1')).toThrow();
  });
});
