import type { WebhookPayload } from '@utm/contracts';
import { signWebhook } from '@utm/security';
import type { EndpointTarget } from '@utm/webhooks';
import { clip, messageOf, slackEscape } from './messages';

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

const JSON_HEADERS = { 'content-type': 'application/json', 'user-agent': 'utm-notifier/1' };
// https://discord.com/developers/docs/resources/webhook#execute-webhook: content up to 2000 characters.
const DISCORD_MAX = 2000;
// https://core.telegram.org/bots/api#sendmessage: text of 1-4096 characters.
const TELEGRAM_MAX = 4096;
const SLACK_MAX = 3000;

/**
 * The HTTP request of one attempt. A Standard Webhooks endpoint gets the event as JSON, signed
 * with a timestamp of this attempt (webhook-id stays the event's on every retry); the chat
 * services get one readable message in their own API's shape.
 */
export function requestFor(
  target: EndpointTarget,
  p: WebhookPayload,
  sign: { eventId: string; secret: string; now: Date },
): OutgoingRequest {
  switch (target.kind) {
    case 'webhook': {
      const body = JSON.stringify({
        type: p.type,
        timestamp: p.timestamp,
        data: p.data,
        ...(p.message ? { message: p.message } : {}),
      });
      const ts = Math.floor(sign.now.getTime() / 1000);
      return {
        url: target.url,
        headers: {
          ...JSON_HEADERS,
          'webhook-id': sign.eventId,
          'webhook-timestamp': String(ts),
          'webhook-signature': signWebhook(sign.secret, sign.eventId, ts, body),
        },
        body,
      };
    }
    case 'discord':
      // allowed_mentions parse []: a comment in a signal cannot ping @everyone.
      return {
        url: target.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ content: clip(messageOf(p), DISCORD_MAX), allowed_mentions: { parse: [] } }),
      };
    case 'slack':
      return {
        url: target.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({ text: clip(slackEscape(messageOf(p)), SLACK_MAX) }),
      };
    case 'telegram':
      // No parse_mode: plain text, nothing in a message can be taken for markup.
      return {
        url: target.url,
        headers: JSON_HEADERS,
        body: JSON.stringify({
          chat_id: target.chatId,
          text: clip(messageOf(p), TELEGRAM_MAX),
          disable_web_page_preview: true,
        }),
      };
  }
}
