import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { decryptWebhookCredentials, encryptWebhookCredentials, generateWebhookSecret, signWebhook } from '../src';

/** Our signatures against the Standard Webhooks reference library (npm `standardwebhooks`). */
describe('Standard Webhooks signatures', () => {
  it('secrets are whsec_ + base64 of 32 random bytes (the spec asks for 24 to 64)', () => {
    const s = generateWebhookSecret();
    expect(s).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(s.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(s);
  });

  it('are byte-identical to the reference signer and accepted by its verifier, for any body', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.integer({ min: 0, max: 2 ** 31 }), (body, n) => {
        const secret = generateWebhookSecret();
        const msgId = `msg_${n}`;
        const ts = Math.floor(Date.now() / 1000);
        const ours = signWebhook(secret, msgId, ts, body);
        expect(ours).toBe(new Webhook(secret).sign(msgId, new Date(ts * 1000), body));
        const json = JSON.stringify({ type: 'signal.filled', timestamp: new Date().toISOString(), data: { body } });
        const headers = {
          'webhook-id': msgId,
          'webhook-timestamp': String(ts),
          'webhook-signature': signWebhook(secret, msgId, ts, json),
        };
        expect(new Webhook(secret).verify(json, headers)).toEqual(JSON.parse(json));
      }),
      { numRuns: 200 },
    );
  });

  it('the verifier refuses another secret, a changed body, id or timestamp', () => {
    const secret = generateWebhookSecret();
    const ts = Math.floor(Date.now() / 1000);
    const body = '{"type":"order.filled"}';
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(ts), 'webhook-signature': '' };
    headers['webhook-signature'] = signWebhook(secret, 'msg_1', ts, body);
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow('No matching signature');
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow('No matching signature');
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg_2' })).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-timestamp': String(ts + 1) })).toThrow();
  });
});

describe('webhook credentials at rest', () => {
  it('round-trip under the key, bound to their endpoint, and show nothing in clear', () => {
    const key = randomBytes(32);
    const c = { url: 'https://hooks.example.com/utm?token=abc', secret: generateWebhookSecret() };
    const blob = encryptWebhookCredentials(key, 'w1', c);
    expect(blob.toString('latin1')).not.toContain('token=abc');
    expect(blob.toString('latin1')).not.toContain('whsec_');
    expect(decryptWebhookCredentials(key, 'w1', blob)).toEqual(c);
    expect(() => decryptWebhookCredentials(key, 'w2', blob)).toThrow();
    expect(() => decryptWebhookCredentials(randomBytes(32), 'w1', blob)).toThrow();
  });
});
