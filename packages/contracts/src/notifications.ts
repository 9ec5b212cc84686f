import type { JSONSchemaType } from 'ajv';
import { createAjv, createValidator, type ValidationResult } from './ingest-validator';

/**
 * Notifications: the closed list of event types a user can be told about, the kinds of
 * endpoint, and the body of POST /api/v1/webhooks. Event types follow the Standard Webhooks
 * recommendation (full-stop delimited, `[a-z_.]`).
 */
export const WEBHOOK_EVENT_TYPES = [
  'signal.filled',
  'signal.rejected',
  'signal.failed',
  'signal.cancelled',
  'signal.expired',
  'order.filled',
  'account.halted',
  'position.unprotected',
  'broker.reconciled',
  /** This endpoint's owner's other endpoint was disabled after failing for days. */
  'webhook.disabled',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Sent by POST /api/v1/webhooks/:id/test to that endpoint alone, whatever it chose. */
export const WEBHOOK_TEST_EVENT = 'webhook.test';
export type DeliveredEventType = WebhookEventType | typeof WEBHOOK_TEST_EVENT;

export const WEBHOOK_KINDS = ['webhook', 'discord', 'slack', 'telegram'] as const;
export type WebhookKindName = (typeof WEBHOOK_KINDS)[number];

/** The signing secret's prefix (Standard Webhooks: symmetric secrets are `whsec_` + base64). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

export interface CreateWebhookRequest {
  url: string;
  events: WebhookEventType[];
  kind?: WebhookKindName;
  description?: string;
}

export const createWebhookSchema: JSONSchemaType<CreateWebhookRequest> = {
  $id: 'https://schemas.utm.dev/webhooks/create.json',
  type: 'object',
  additionalProperties: false,
  required: ['url', 'events'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2048 },
    events: {
      type: 'array',
      minItems: 1,
      maxItems: WEBHOOK_EVENT_TYPES.length,
      uniqueItems: true,
      items: { type: 'string', enum: [...WEBHOOK_EVENT_TYPES] },
    },
    kind: { type: 'string', enum: [...WEBHOOK_KINDS], nullable: true },
    description: { type: 'string', maxLength: 200, nullable: true },
  },
};

export function createWebhookValidator(): (data: unknown) => ValidationResult<CreateWebhookRequest> {
  return createValidator(createAjv().compile(createWebhookSchema));
}

/** What every Standard Webhooks body is: `{type, timestamp, data}`. */
export interface WebhookPayload {
  type: DeliveredEventType;
  /** When the fact was recorded (ISO 8601), not when it is sent. */
  timestamp: string;
  data: Record<string, unknown>;
  /** The recorded event's own words (`Signal FILLED`, `Trading state ACTIVE → HALTED (by cli)`). */
  message?: string;
}
