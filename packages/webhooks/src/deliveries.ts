import type { Pool, PoolClient } from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import type { DeliveredEventType, WebhookPayload } from '@utm/contracts';

/** The contract: a delivery is retried with exponential backoff for 24 h, then it is FAILED. */
export const RETRY_WINDOW_MS = 24 * 3600 * 1000;
/** The contract: an endpoint failing for 5 days (no 2xx in between) is disabled, with an event. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;

/** Anything that runs a query: the pool, or a client inside a transaction. */
export type Queryable = Pool | PoolClient;

/** A Standard Webhooks message id (`webhook-id`): the receiver's dedup key, the same on every retry. */
export function newEventId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

export interface NewDelivery {
  webhookId: string;
  eventId: string;
  type: DeliveredEventType;
  payload: WebhookPayload;
  /** The recorded fact it comes from (null for a test event): one delivery per endpoint and fact. */
  source: string | null;
  factId: bigint | null;
}

/**
 * Writes deliveries, PENDING and due now, in the caller's transaction; a fact that already has
 * its delivery to an endpoint is skipped. Returns the ids written (each is its job's id).
 */
export async function insertDeliveries(q: Queryable, rows: NewDelivery[], now: Date): Promise<string[]> {
  if (!rows.length) return [];
  const ids = rows.map(() => randomUUID());
  const { rows: written } = await q.query<{ id: string }>(
    `INSERT INTO webhook_deliveries (id, webhook_id, event_id, type, payload, source, fact_id, next_attempt_at, retry_until, created_at, updated_at)
     SELECT d.id, d.webhook_id, d.event_id, d.type, d.payload, d.source, d.fact_id, $8, $9, $8, $8
     FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::text[], $7::bigint[])
          AS d(id, webhook_id, event_id, type, payload, source, fact_id)
     ON CONFLICT (webhook_id, source, fact_id) DO NOTHING
     RETURNING id`,
    [
      ids,
      rows.map((r) => r.webhookId),
      rows.map((r) => r.eventId),
      rows.map((r) => r.type),
      rows.map((r) => JSON.stringify(r.payload)),
      rows.map((r) => r.source),
      rows.map((r) => (r.factId === null ? null : r.factId.toString())),
      now,
      new Date(now.getTime() + RETRY_WINDOW_MS),
    ],
  );
  return written.map((r) => r.id);
}

/**
 * A manual retry: the delivery is PENDING again, due now, with a fresh 24 h of retries; its
 * attempts so far stay in its log. Null when there is no such delivery of that endpoint.
 */
export async function reopenDelivery(
  q: Queryable,
  webhookId: string,
  deliveryId: string,
  now: Date,
): Promise<{ id: string } | null> {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE webhook_deliveries SET status = 'PENDING', next_attempt_at = $3, retry_until = $4, updated_at = $3
     WHERE id = $1 AND webhook_id = $2 RETURNING id`,
    [deliveryId, webhookId, now, new Date(now.getTime() + RETRY_WINDOW_MS)],
  );
  return rows[0] ?? null;
}
