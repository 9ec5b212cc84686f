import { createHmac, randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret } from './secrets';

/**
 * Standard Webhooks signing (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
 * a symmetric secret is at least 24 random bytes, shown as `whsec_` + base64; a signature is
 * `v1,` + base64(HMAC-SHA256(secret bytes, `${webhook-id}.${webhook-timestamp}.${body}`)).
 * Node's HMAC gives the same bytes as the `standardwebhooks` package's signer (proven against
 * its verifier in the tests) at a fraction of the cost of its pure-JS SHA-256.
 */
const PREFIX = 'whsec_';
const SECRET_BYTES = 32;

export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

function keyOf(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, 'base64');
  if (key.length === 0) throw new Error('webhook secret is empty');
  return key;
}

/** The `webhook-signature` header value for one message. */
export function signWebhook(secret: string, msgId: string, timestampSeconds: number, body: string): string {
  const mac = createHmac('sha256', keyOf(secret)).update(`${msgId}.${timestampSeconds}.${body}`, 'utf8');
  return `v1,${mac.digest('base64')}`;
}

/** Where an endpoint sends and how it signs, stored as one AES-256-GCM blob (never logged, never returned). */
export interface WebhookCredentials {
  url: string;
  secret: string;
}

const aadOf = (webhookId: string) => `webhook:${webhookId}`;

export function encryptWebhookCredentials(key: Buffer, webhookId: string, c: WebhookCredentials): Buffer {
  return encryptSecret(key, JSON.stringify({ url: c.url, secret: c.secret }), aadOf(webhookId));
}

export function decryptWebhookCredentials(key: Buffer, webhookId: string, blob: Uint8Array): WebhookCredentials {
  const parsed = JSON.parse(decryptSecret(key, blob, aadOf(webhookId))) as Partial<WebhookCredentials>;
  if (typeof parsed.url !== 'string' || typeof parsed.secret !== 'string')
    throw new Error('webhook credentials are malformed');
  return { url: parsed.url, secret: parsed.secret };
}
