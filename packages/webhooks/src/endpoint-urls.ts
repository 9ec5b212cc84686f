import type { ErrorDetail, WebhookKindName } from '@utm/contracts';

/**
 * What each kind of endpoint accepts as its `url`, how it is shown back (secret parts masked:
 * a Discord token, a Slack hook's secret, a Telegram bot token are credentials), and where a
 * delivery really goes: the chat services' base URLs are configurable so that tests and
 * air-gapped installs point them at a stand-in.
 */
export interface ChatBases {
  /** Discord's API origin (https://discord.com). */
  discord: string;
  /** Slack's incoming-webhooks origin (https://hooks.slack.com). */
  slack: string;
  /** Telegram's Bot API origin (https://api.telegram.org). */
  telegram: string;
}

export const DEFAULT_CHAT_BASES: ChatBases = {
  discord: 'https://discord.com',
  slack: 'https://hooks.slack.com',
  telegram: 'https://api.telegram.org',
};

export type EndpointTarget =
  | { kind: 'webhook'; url: string }
  | { kind: 'discord'; url: string }
  | { kind: 'slack'; url: string }
  | { kind: 'telegram'; url: string; chatId: string };

export type ParsedEndpoint = { ok: true; displayUrl: string } | { ok: false; details: ErrorDetail[] };

const MASK = '…';
const bad = (message: string): ParsedEndpoint => ({ ok: false, details: [{ field: 'url', message }] });

// https://discord.com/developers/docs/resources/webhook#execute-webhook: POST /webhooks/{webhook.id}/{webhook.token}
const DISCORD = /^\/api(?:\/v\d+)?\/webhooks\/(\d{1,25})\/([A-Za-z0-9_-]{1,100})\/?$/;
const DISCORD_HOSTS = new Set(['discord.com', 'discordapp.com', 'ptb.discord.com', 'canary.discord.com']);
// https://api.slack.com/messaging/webhooks: https://hooks.slack.com/services/T…/B…/secret
const SLACK = /^\/services\/([A-Z0-9]{1,32})\/([A-Z0-9]{1,32})\/([A-Za-z0-9]{1,64})\/?$/;
// https://core.telegram.org/bots/api#making-requests: https://api.telegram.org/bot<token>/METHOD_NAME
const TELEGRAM = /^\/bot(\d{1,20}:[A-Za-z0-9_-]{20,100})\/sendMessage\/?$/i;
const CHAT_ID = /^(-?\d{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$/;

function parseUrl(raw: string): URL | null {
  try {
    return new URL(raw);
  } catch {
    return null;
  }
}

/** Validates `url` for `kind`; never echoes a secret part back. */
export function parseEndpoint(kind: WebhookKindName, raw: string): ParsedEndpoint {
  const u = parseUrl(raw);
  if (!u) return bad('must be an absolute URL');
  if (u.username || u.password) return bad('must not carry a user name or password');
  if (u.hash) return bad('must not have a #fragment');
  switch (kind) {
    case 'webhook':
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return bad('must start with https:// (or http://)');
      return { ok: true, displayUrl: `${u.origin}${u.pathname}${u.search ? `?${MASK}` : ''}` };
    case 'discord': {
      const m = DISCORD.exec(u.pathname);
      if (u.protocol !== 'https:' || !DISCORD_HOSTS.has(u.hostname) || !m || u.search)
        return bad('must be a Discord webhook URL: https://discord.com/api/webhooks/{id}/{token}');
      return { ok: true, displayUrl: `https://discord.com/api/webhooks/${m[1]}/${MASK}` };
    }
    case 'slack': {
      const m = SLACK.exec(u.pathname);
      if (u.protocol !== 'https:' || u.hostname !== 'hooks.slack.com' || !m || u.search)
        return bad('must be a Slack incoming webhook URL: https://hooks.slack.com/services/T…/B…/…');
      return { ok: true, displayUrl: `https://hooks.slack.com/services/${m[1]}/${m[2]}/${MASK}` };
    }
    case 'telegram': {
      const chat = u.searchParams.get('chat_id') ?? '';
      const onlyChat = [...u.searchParams.keys()].every((k) => k === 'chat_id');
      if (u.protocol !== 'https:' || u.hostname !== 'api.telegram.org' || !TELEGRAM.test(u.pathname) || !onlyChat)
        return bad(
          'must be a Telegram sendMessage URL: https://api.telegram.org/bot{token}/sendMessage?chat_id={chat}',
        );
      if (!CHAT_ID.test(chat)) return bad('must name the chat: ?chat_id= a number or @channelname');
      return { ok: true, displayUrl: `https://api.telegram.org/bot${MASK}/sendMessage?chat_id=${chat}` };
    }
  }
}

/** Where a delivery to this endpoint is sent (the chat services' paths under their configured origins). */
export function targetOf(kind: WebhookKindName, raw: string, bases: ChatBases): EndpointTarget {
  const u = new URL(raw);
  const under = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;
  switch (kind) {
    case 'webhook':
      return { kind, url: u.toString() };
    case 'discord': {
      const m = DISCORD.exec(u.pathname);
      // wait=true: Discord confirms the message was saved, or says why not.
      return { kind, url: under(bases.discord, `/api/webhooks/${m?.[1]}/${m?.[2]}?wait=true`) };
    }
    case 'slack':
      return { kind, url: under(bases.slack, u.pathname) };
    case 'telegram': {
      const token = TELEGRAM.exec(u.pathname)?.[1];
      return {
        kind,
        url: under(bases.telegram, `/bot${token}/sendMessage`),
        chatId: u.searchParams.get('chat_id') ?? '',
      };
    }
  }
}
