import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Broker credentials at rest: AES-256-GCM under a 32-byte key from the environment
 * (UTM_ENCRYPTION_KEY). Layout: 12-byte IV | 16-byte tag | ciphertext. The account id is the
 * additional authenticated data, so a blob copied onto another account does not decrypt.
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function encryptSecret(key: Buffer, plaintext: string, aad: string): Buffer {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

export function decryptSecret(key: Buffer, blob: Uint8Array, aad: string): string {
  if (key.length !== 32) throw new Error('encryption key must be 32 bytes');
  const buf = Buffer.from(blob);
  if (buf.length < IV_BYTES + TAG_BYTES) throw new Error('encrypted secret is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(buf.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** Alpaca credentials as stored (encrypted as one JSON document). */
export interface AlpacaCredentials {
  keyId: string;
  secretKey: string;
}
