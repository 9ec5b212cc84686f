/**
 * A ccxt account's exchange credentials as stored (encrypted under UTM_ENCRYPTION_KEY as one
 * JSON document, like Alpaca's): the API key, its secret, and the passphrase some exchanges
 * add (ccxt's `password`: OKX, KuCoin, …). The exchange itself is not secret (accounts.exchange).
 */
export interface CcxtCredentials {
  apiKey: string;
  secret: string;
  password?: string;
}

/** Reads decrypted credentials, refusing anything but the stored shape (never echoing a value). */
export function parseCcxtCredentials(json: string): CcxtCredentials {
  let v: unknown;
  try {
    v = JSON.parse(json);
  } catch {
    throw new Error('ccxt credentials are not JSON');
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (typeof o.apiKey !== 'string' || !o.apiKey || typeof o.secret !== 'string' || !o.secret)
    throw new Error('ccxt credentials need apiKey and secret');
  if (o.password !== undefined && typeof o.password !== 'string') throw new Error('ccxt password must be a string');
  return { apiKey: o.apiKey, secret: o.secret, ...(o.password ? { password: o.password } : {}) };
}
