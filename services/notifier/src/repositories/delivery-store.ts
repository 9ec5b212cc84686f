import type { Pool } from 'pg';
import type { DeliveredEventType, WebhookKindName, WebhookPayload } from '@utm/contracts';
import { withTransaction } from '@utm/db';
import { DISABLE_AFTER_MS, insertDeliveries, newEventId, webhookView, type WebhookRow } from '@utm/webhooks';

/** A delivery with its endpoint, as the worker needs it. */
export interface DeliveryWork {
  id: string;
  eventId: string;
  type: DeliveredEventType;
  payload: WebhookPayload;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  retryUntil: Date;
  createdAt: Date;
  endpoint: {
    id: string;
    userId: string;
    kind: WebhookKindName;
    status: 'ACTIVE' | 'DISABLED';
    deleted: boolean;
    credentials: Buffer;
  };
}

export interface AttemptRecord {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  response: string | null;
}

/** Where the delivery stands after an attempt, and what the attempt says of its endpoint. */
export interface AttemptResult {
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  nextAttemptAt: Date | null;
  lastError: string | null;
  /** ok: the endpoint answered 2xx; failing: it did not; gone: it says it never will. */
  endpoint: 'ok' | 'failing' | 'gone';
}

export interface Recorded {
  /** The endpoint was disabled by this attempt. */
  disabled: boolean;
  /** webhook.disabled deliveries written to the owner's other endpoints (they need their jobs). */
  notices: string[];
}

interface Row {
  id: string;
  event_id: string;
  type: DeliveredEventType;
  payload: WebhookPayload;
  status: DeliveryWork['status'];
  attempts: number;
  retry_until: Date;
  created_at: Date;
  webhook_id: string;
  user_id: string;
  kind: WebhookKindName;
  webhook_status: 'ACTIVE' | 'DISABLED';
  deleted: boolean;
  credentials: Buffer;
}

/** The notifier's reads and writes of deliveries, attempts and endpoint health. */
export class DeliveryStore {
  constructor(private readonly pool: Pool) {}

  async load(deliveryId: string): Promise<DeliveryWork | null> {
    const { rows } = await this.pool.query<Row>({
      name: 'notifier-delivery-load',
      text: `SELECT d.id, d.event_id, d.type, d.payload, d.status, d.attempts, d.retry_until, d.created_at,
                    w.id AS webhook_id, w.user_id, w.kind, w.status AS webhook_status, w.deleted_at IS NOT NULL AS deleted, w.credentials
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1`,
      values: [deliveryId],
    });
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      eventId: r.event_id,
      type: r.type,
      payload: r.payload,
      status: r.status,
      attempts: r.attempts,
      retryUntil: r.retry_until,
      createdAt: r.created_at,
      endpoint: {
        id: r.webhook_id,
        userId: r.user_id,
        kind: r.kind,
        status: r.webhook_status,
        deleted: r.deleted,
        credentials: r.credentials,
      },
    };
  }

  /** Ends a delivery without an attempt (its endpoint was deleted or disabled, its window ended). */
  async abandon(deliveryId: string, reason: string, now: Date): Promise<void> {
    await this.pool.query({
      name: 'notifier-delivery-abandon',
      text: `UPDATE webhook_deliveries SET status = 'FAILED', last_error = $2, next_attempt_at = NULL, updated_at = $3
             WHERE id = $1 AND status = 'PENDING'`,
      values: [deliveryId, reason, now],
    });
  }

  /**
   * One attempt, recorded with its consequences in one transaction: the attempt row, the
   * delivery's state, the endpoint's health; an endpoint failing for DISABLE_AFTER_MS (or gone)
   * is disabled, and the owner's other endpoints that chose `webhook.disabled` get that event.
   */
  async record(d: DeliveryWork, attempt: AttemptRecord, result: AttemptResult, now: Date): Promise<Recorded> {
    if (result.endpoint === 'ok') {
      // The common case in one statement (one round trip, atomic by itself).
      await this.pool.query({
        name: 'notifier-attempt-delivered',
        text: `WITH a AS (
                 INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms, response) VALUES ($1, $2, $3, $4, $5, $6)
               ), d AS (
                 UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $3, last_error = NULL, status = 'DELIVERED',
                   next_attempt_at = NULL, delivered_at = $2, updated_at = $2
                 WHERE id = $1
               )
               UPDATE webhooks SET failing_since = NULL WHERE id = $7 AND failing_since IS NOT NULL`,
        values: [d.id, now, attempt.statusCode, attempt.error, attempt.durationMs, attempt.response, d.endpoint.id],
      });
      return { disabled: false, notices: [] };
    }
    return withTransaction(this.pool, async (c) => {
      await c.query({
        name: 'notifier-attempt-insert',
        text: `INSERT INTO webhook_attempts (delivery_id, at, status_code, error, duration_ms, response) VALUES ($1, $2, $3, $4, $5, $6)`,
        values: [d.id, now, attempt.statusCode, attempt.error, attempt.durationMs, attempt.response],
      });
      await c.query({
        name: 'notifier-delivery-update',
        text: `UPDATE webhook_deliveries SET attempts = attempts + 1, last_status_code = $2, last_error = $3, status = $4::"DeliveryStatus",
                 next_attempt_at = $5, delivered_at = CASE WHEN $4::text = 'DELIVERED' THEN $6 ELSE delivered_at END, updated_at = $6
               WHERE id = $1`,
        values: [d.id, attempt.statusCode, result.lastError, result.status, result.nextAttemptAt, now],
      });
      const { rows } = await c.query<{ failing_since: Date }>({
        name: 'notifier-endpoint-failing',
        text: 'UPDATE webhooks SET failing_since = COALESCE(failing_since, $2) WHERE id = $1 RETURNING failing_since',
        values: [d.endpoint.id, now],
      });
      const since = rows[0]?.failing_since ?? now;
      const tooLong = now.getTime() - since.getTime() >= DISABLE_AFTER_MS;
      if (result.endpoint !== 'gone' && !tooLong) return { disabled: false, notices: [] };
      const reason =
        result.endpoint === 'gone'
          ? `the endpoint answered that it is gone (${result.lastError ?? 'no reason'})`
          : `no successful delivery since ${since.toISOString()} (5 days)`;
      return this.disable(c, d.endpoint.id, reason, now);
    });
  }

  private async disable(c: import('pg').PoolClient, webhookId: string, reason: string, now: Date): Promise<Recorded> {
    const { rows } = await c.query<WebhookRow & { userId: string }>({
      name: 'notifier-endpoint-disable',
      text: `UPDATE webhooks SET status = 'DISABLED', disabled_at = $2, disabled_reason = $3 WHERE id = $1 AND status = 'ACTIVE'
             RETURNING id, user_id AS "userId", kind, display_url AS "displayUrl", events, description, status,
                       failing_since AS "failingSince", disabled_at AS "disabledAt", disabled_reason AS "disabledReason", created_at AS "createdAt"`,
      values: [webhookId, now, reason],
    });
    const w = rows[0];
    if (!w) return { disabled: false, notices: [] };
    // Its deliveries still waiting end here, the one of this attempt included.
    await c.query({
      name: 'notifier-endpoint-disabled-deliveries',
      text: `UPDATE webhook_deliveries SET status = 'FAILED', next_attempt_at = NULL, updated_at = $2,
               last_error = COALESCE(last_error, 'the endpoint is disabled')
             WHERE webhook_id = $1 AND status = 'PENDING'`,
      values: [webhookId, now],
    });
    const { rows: others } = await c.query<{ id: string }>({
      name: 'notifier-disabled-notice-targets',
      text: `SELECT id FROM webhooks WHERE user_id = $1 AND id <> $2 AND status = 'ACTIVE' AND deleted_at IS NULL
             AND 'webhook.disabled' = ANY(events)`,
      values: [w.userId, w.id],
    });
    const payload: WebhookPayload = {
      type: 'webhook.disabled',
      timestamp: now.toISOString(),
      data: { ...webhookView(w), reason },
    };
    const eventId = newEventId();
    const notices = await insertDeliveries(
      c,
      others.map((o) => ({ webhookId: o.id, eventId, type: 'webhook.disabled', payload, source: null, factId: null })),
      now,
    );
    return { disabled: true, notices };
  }
}
