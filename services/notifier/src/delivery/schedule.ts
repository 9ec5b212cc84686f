/**
 * When a failed delivery is tried again: exponential backoff with jitter (Standard Webhooks:
 * "a retry schedule … with an exponential backoff … and some level of random jitter"), within
 * the delivery's 24 h window (the contract); a service's own `retry_after` / `Retry-After` is never
 * undercut. Pure: the caller gives the clock and the random draw.
 */
export const FIRST_RETRY_MS = 5000;
export const MAX_RETRY_DELAY_MS = 4 * 3600 * 1000;
const JITTER = 0.2;

/** The delay after the `attempts`-th failed attempt (1 = the first), before jitter: 5 s, 10 s, 20 s … at most 4 h. */
export function backoffMs(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1));
}

export type Next = { at: Date } | { giveUp: true };

/**
 * The next attempt's time, or give up when it would fall after `retryUntil`.
 * `random` is a draw in [0, 1): the delay varies by ±20%.
 */
export function nextAttempt(
  attempts: number,
  now: Date,
  retryUntil: Date,
  random: number,
  retryAfterMs: number | null = null,
): Next {
  const jittered = backoffMs(attempts) * (1 - JITTER + 2 * JITTER * random);
  const delay = Math.max(Math.round(jittered), retryAfterMs ?? 0);
  const at = new Date(now.getTime() + delay);
  return at > retryUntil ? { giveUp: true } : { at };
}
