import { randomInt } from 'node:crypto';
import { DelayedError, type Job } from '@utm/queue';
import type { DeliveryJob } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { decryptWebhookCredentials } from '@utm/security';
import { targetOf, type ChatBases } from '@utm/webhooks';
import type { DeliveryStore, DeliveryWork, AttemptResult } from '../repositories/delivery-store';
import type { EndpointGate } from './endpoint-gate';
import type { HttpPoster } from './http-client';
import { classify, type Answer, type Outcome } from './outcome';
import { requestFor } from './requests';
import { nextAttempt } from './schedule';

export interface DeliverDeps {
  store: DeliveryStore;
  gate: EndpointGate;
  poster: HttpPoster;
  /** UTM_ENCRYPTION_KEY; undefined: no endpoint can be read (deliveries fail and are retried). */
  encryptionKey: Buffer | undefined;
  bases: ChatBases;
  logger: Logger;
  now: () => Date;
  random: () => number;
  /** After each attempt (metrics; enqueueing the notices of a disabled endpoint). */
  onAttempt: (d: DeliveryWork, outcome: Outcome, durationMs: number, notices: string[]) => void;
}

/**
 * The job goes back to wait `delayMs`, without counting as an attempt (BullMQ: moveToDelayed +
 * DelayedError). A delay, not a time: BullMQ schedules on the wall clock, the rules on `now`.
 */
async function later(job: Job<DeliveryJob>, token: string | undefined, delayMs: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(0, Math.round(delayMs)), token);
  throw new DelayedError();
}

function resultOf(d: DeliveryWork, outcome: Outcome, now: Date, random: number): AttemptResult {
  switch (outcome.kind) {
    case 'delivered':
      return { status: 'DELIVERED', nextAttemptAt: null, lastError: null, endpoint: 'ok' };
    case 'failed':
      return { status: 'FAILED', nextAttemptAt: null, lastError: outcome.reason, endpoint: 'failing' };
    case 'gone':
      return { status: 'FAILED', nextAttemptAt: null, lastError: outcome.reason, endpoint: 'gone' };
    case 'retry': {
      const next = nextAttempt(d.attempts + 1, now, d.retryUntil, random, outcome.retryAfterMs);
      return 'giveUp' in next
        ? {
            status: 'FAILED',
            nextAttemptAt: null,
            lastError: `${outcome.reason} (retried for 24 h)`,
            endpoint: 'failing',
          }
        : { status: 'PENDING', nextAttemptAt: next.at, lastError: outcome.reason, endpoint: 'failing' };
    }
  }
}

/**
 * One job = one delivery. The handler makes at most one attempt per run: a delivery that must
 * be tried again goes back to the queue delayed until its next attempt (the same job, so a
 * delivery never has two attempts in flight), an endpoint at its concurrency cap or paused by
 * a 429 sends its jobs back briefly without an attempt. Postgres holds the state; a re-run
 * job re-reads it and does nothing for a delivery that is no longer PENDING.
 */
export function createDeliveryHandler(deps: DeliverDeps) {
  const log = deps.logger.child({ module: 'delivery' });
  return async (data: DeliveryJob, job: Job<DeliveryJob>, token: string | undefined): Promise<void> => {
    const d = await deps.store.load(data.deliveryId);
    if (!d || d.status !== 'PENDING') return;
    const ep = d.endpoint;
    const start = deps.now();
    if (ep.deleted || ep.status !== 'ACTIVE') {
      await deps.store.abandon(d.id, ep.deleted ? 'the endpoint was deleted' : 'the endpoint is disabled', start);
      return;
    }
    if (start > d.retryUntil) {
      await deps.store.abandon(d.id, 'its 24 h of retries ended', start);
      return;
    }
    const paused = deps.gate.waitUntil(ep.id, start.getTime());
    if (paused !== null) await later(job, token, paused - start.getTime());
    if (!deps.gate.tryAcquire(ep.id)) await later(job, token, 50 + randomInt(200));

    let answer: Answer;
    let durationMs: number;
    try {
      if (!deps.encryptionKey)
        throw new Error('UTM_ENCRYPTION_KEY is not set on the notifier: it cannot read the endpoint');
      const creds = decryptWebhookCredentials(deps.encryptionKey, ep.id, ep.credentials);
      const req = requestFor(targetOf(ep.kind, creds.url, deps.bases), d.payload, {
        eventId: d.eventId,
        secret: creds.secret,
        now: start,
      });
      const timed = await deps.poster.post(req.url, req.headers, req.body);
      answer = timed.answer;
      durationMs = timed.durationMs;
    } finally {
      deps.gate.release(ep.id);
    }
    const now = deps.now();
    const outcome = classify(ep.kind, answer, now.getTime());
    if (outcome.kind === 'retry' && outcome.retryAfterMs) deps.gate.pause(ep.id, now.getTime() + outcome.retryAfterMs);
    const result = resultOf(d, outcome, now, deps.random());
    const recorded = await deps.store.record(
      d,
      {
        statusCode: 'status' in answer ? answer.status : null,
        error: 'error' in answer ? answer.error : null,
        durationMs,
        response: 'status' in answer ? answer.body : null,
      },
      result,
      now,
    );
    if (recorded.disabled)
      log.warn('webhook endpoint disabled', { webhookId: ep.id, deliveryId: d.id, reason: result.lastError });
    deps.onAttempt(d, outcome, durationMs, recorded.notices);
    if (result.status === 'PENDING' && result.nextAttemptAt && !recorded.disabled)
      await later(job, token, result.nextAttemptAt.getTime() - now.getTime());
  };
}
