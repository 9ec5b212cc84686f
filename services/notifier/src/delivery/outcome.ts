import type { WebhookKindName } from '@utm/contracts';

/** What an endpoint answered (the first 1 KiB of the body), or why there was no answer. */
export type Answer =
  { status: number; headers: Record<string, string | string[] | undefined>; body: string } | { error: string };

export type Outcome =
  | { kind: 'delivered' }
  /** Try again later, not before `retryAfterMs` when the service said so. */
  | { kind: 'retry'; reason: string; retryAfterMs: number | null }
  /** This message will never be accepted: the delivery is FAILED now. */
  | { kind: 'failed'; reason: string }
  /** The endpoint itself is gone: the delivery is FAILED and the endpoint disabled. */
  | { kind: 'gone'; reason: string };

function header(a: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const v = a.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** `Retry-After` in seconds (RFC 9110 also allows an HTTP date). */
function retryAfterHeader(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.ceil(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function json(body: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** A service's own wait, in ms: Discord's and Telegram's JSON, else the Retry-After header. */
function retryAfterMs(
  kind: WebhookKindName,
  a: { headers: Record<string, string | string[] | undefined>; body: string },
  now: number,
): number | null {
  const body = json(a.body);
  // https://discord.com/developers/docs/topics/rate-limits#exceeding-a-rate-limit: retry_after, float seconds.
  if (kind === 'discord' && typeof body?.retry_after === 'number') return Math.ceil(body.retry_after * 1000);
  // https://core.telegram.org/bots/api#responseparameters: parameters.retry_after, seconds.
  const params = body?.parameters as Record<string, unknown> | undefined;
  if (kind === 'telegram' && typeof params?.retry_after === 'number') return Math.ceil(params.retry_after * 1000);
  return retryAfterHeader(header(a, 'retry-after'), now);
}

const short = (body: string) => body.replace(/\s+/g, ' ').trim().slice(0, 200);

/**
 * The meaning of an answer, by kind of endpoint. Standard Webhooks (spec, "Delivery success
 * and failure"): 2xx delivers; 410 Gone means stop sending (disable); 429, 502, 503, 504 and a
 * Retry-After mean later; anything else, a 3xx included (redirects are not followed), fails
 * this attempt and is retried. The chat services answer a refusal that no retry will change
 * with a 4xx (a message they cannot take: FAILED; a webhook, bot or chat that is gone:
 * disabled, as Discord asks: "If a webhook returns a 404 status you should not attempt to use
 * it again").
 */
export function classify(kind: WebhookKindName, a: Answer, now = Date.now()): Outcome {
  if ('error' in a) return { kind: 'retry', reason: a.error, retryAfterMs: null };
  const { status } = a;
  if (status >= 200 && status < 300) {
    // https://core.telegram.org/bots/api#making-requests: the answer's `ok` says whether it worked.
    if (kind === 'telegram' && json(a.body)?.ok !== true)
      return { kind: 'retry', reason: `200 without ok: ${short(a.body)}`, retryAfterMs: null };
    return { kind: 'delivered' };
  }
  const why = `HTTP ${status}${a.body ? `: ${short(a.body)}` : ''}`;
  if (status === 429 || status === 502 || status === 503 || status === 504)
    return { kind: 'retry', reason: why, retryAfterMs: retryAfterMs(kind, a, now) };
  if (status === 410) return { kind: 'gone', reason: why };
  if (kind !== 'webhook' && status >= 400 && status < 500) {
    // Discord 404 Unknown Webhook, 401/403; Slack 403 action_prohibited, 404 no_service /
    // channel_not_found; Telegram 401 Unauthorized, 403 bot blocked, 400 chat not found.
    const chatGone = kind === 'telegram' && status === 400 && /chat not found/i.test(a.body);
    if (status === 401 || status === 403 || status === 404 || chatGone) return { kind: 'gone', reason: why };
    return { kind: 'failed', reason: why };
  }
  return { kind: 'retry', reason: why, retryAfterMs: retryAfterHeader(header(a, 'retry-after'), now) };
}
