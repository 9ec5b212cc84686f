import { createWebhookSchema, type ErrorCode } from '@utm/contracts';
import { anyJson, API_KEY, errors, READ_ERRORS, withRequestId } from './paths';
import type { Schema } from './schemas';

/** The notification endpoints (routes/webhooks.ts). paths.ts imports this module: nothing of it is read at load. */
const id = {
  name: 'webhookId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: "Another user's endpoint is 404",
};
const noContent = (description: string): Schema => ({ description, headers: withRequestId });

export function webhookPaths(): Record<string, Schema> {
  const WRITE_ERRORS: ErrorCode[] = [...READ_ERRORS, 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];
  const { $id: _id, ...body } = createWebhookSchema;
  return {
    '/api/v1/webhooks': {
      post: {
        operationId: 'createWebhook',
        summary: 'A notification endpoint: a Standard Webhooks URL, or a Discord, Slack or Telegram destination',
        description:
          'The answer holds `secret` (`whsec_…`, for verifying signatures): it is shown this once. URLs whose host resolves to a loopback, private, link-local or multicast address are refused unless the operator set WEBHOOK_ALLOW_PRIVATE.',
        security: API_KEY,
        requestBody: { required: true, content: { 'application/json': { schema: body } } },
        responses: {
          '201': anyJson('The endpoint, with its signing secret (shown once)'),
          ...errors([...WRITE_ERRORS, 'WEBHOOK_URL_REFUSED']),
        },
      },
      get: {
        operationId: 'listWebhooks',
        summary: "The key's user's endpoints (URLs with their secret parts masked, never a secret)",
        security: API_KEY,
        responses: { '200': anyJson('{webhooks: [...]}'), ...errors(READ_ERRORS) },
      },
    },
    '/api/v1/webhooks/{webhookId}': {
      delete: {
        operationId: 'deleteWebhook',
        summary: 'Stops all notifications to the endpoint; its delivery log stays',
        security: API_KEY,
        parameters: [id],
        responses: { '204': noContent('Deleted'), ...errors([...READ_ERRORS, 'WEBHOOK_NOT_FOUND']) },
      },
    },
    '/api/v1/webhooks/{webhookId}/test': {
      post: {
        operationId: 'testWebhook',
        summary: 'Sends a `webhook.test` event to this endpoint alone',
        security: API_KEY,
        parameters: [id],
        responses: {
          '202': anyJson('{deliveryId, eventId, status: PENDING}'),
          ...errors([...READ_ERRORS, 'WEBHOOK_NOT_FOUND', 'WEBHOOK_DISABLED']),
        },
      },
    },
    '/api/v1/webhooks/{webhookId}/deliveries': {
      get: {
        operationId: 'listWebhookDeliveries',
        summary:
          'The delivery log, newest first: event, status, attempts, last response code, next attempt, each attempt',
        security: API_KEY,
        parameters: [
          id,
          { name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 200 } },
          { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
        ],
        responses: {
          '200': anyJson('{deliveries: [...], nextCursor}'),
          ...errors([...READ_ERRORS, 'WEBHOOK_NOT_FOUND']),
        },
      },
    },
    '/api/v1/webhooks/{webhookId}/deliveries/{deliveryId}/retry': {
      post: {
        operationId: 'retryWebhookDelivery',
        summary: 'Sends the delivery again now, with a fresh 24 h of retries',
        security: API_KEY,
        parameters: [id, { name: 'deliveryId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '202': anyJson('{deliveryId, status: PENDING}'),
          ...errors([...READ_ERRORS, 'WEBHOOK_NOT_FOUND', 'DELIVERY_NOT_FOUND', 'WEBHOOK_DISABLED']),
        },
      },
    },
  };
}
