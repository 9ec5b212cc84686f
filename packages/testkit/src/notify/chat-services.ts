import { Budget, LocalServer, send } from './local-server';

/**
 * Stand-ins for the three chat services' message APIs, each refusing what the real one
 * refuses, with the documented answer, and rate limiting with its documented 429. Tests set
 * `limit` (requests per window, per webhook or bot) and register the webhooks, bots and chats
 * that exist. Every request is recorded with its arrival time and answer (`server.received`).
 */
interface Limited {
  server: LocalServer;
  budget: Budget;
}

function parse(body: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(body);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Discord, Execute Webhook: POST /api[/v{n}]/webhooks/{webhook.id}/{webhook.token}
 * (https://discord.com/developers/docs/resources/webhook#execute-webhook).
 */
export class DiscordStandIn implements Limited {
  readonly budget = new Budget();
  /** webhook id → token */
  readonly webhooks = new Map<string, string>();
  readonly messages: { webhookId: string; content: string }[] = [];
  readonly server: LocalServer;
  private nextId = 1n;

  constructor() {
    this.server = new LocalServer((req, res) => {
      const m = /^\/api(?:\/v\d+)?\/webhooks\/(\d+)\/([^/]+)$/.exec(req.path);
      // Unknown webhook: 404 with JSON error code 10015 (docs/topics/opcodes-and-status-codes#json).
      if (req.method !== 'POST' || !m || this.webhooks.get(m[1] ?? '') !== m[2])
        return send(res, 404, { message: 'Unknown Webhook', code: 10015 });
      // docs/topics/rate-limits#exceeding-a-rate-limit: 429, JSON retry_after (float seconds), Retry-After header.
      const wait = this.budget.take(m[1] ?? '');
      if (wait !== null)
        return send(
          res,
          429,
          { message: 'You are being rate limited.', retry_after: Math.round(wait * 1000) / 1000, global: false },
          { 'retry-after': String(Math.ceil(wait)), 'x-ratelimit-scope': 'user', 'x-ratelimit-remaining': '0' },
        );
      const body = parse(req.body);
      if (!body) return send(res, 400, { message: 'Invalid Form Body', code: 50035 });
      const content = typeof body.content === 'string' ? body.content : '';
      // "you must provide a value for at least one of content, embeds, components, file, or poll"
      if (!content && !body.embeds) return send(res, 400, { message: 'Cannot send an empty message', code: 50006 });
      // content: "the message contents (up to 2000 characters)"
      if ([...content].length > 2000)
        return send(res, 400, {
          message: 'Invalid Form Body',
          code: 50035,
          errors: {
            content: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 2000 or fewer in length.' }] },
          },
        });
      this.messages.push({ webhookId: m[1] ?? '', content });
      // wait=true: "returns the created message body"; otherwise 204 No Content.
      if (req.query.get('wait') !== 'true') return send(res, 204, '');
      return send(res, 200, { id: String(this.nextId++), type: 0, content, channel_id: '1', webhook_id: m[1] });
    });
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/**
 * Slack incoming webhooks: POST /services/T…/B…/secret with JSON {text}; 200 "ok"; errors as
 * text (https://api.slack.com/messaging/webhooks#handling_errors,
 * https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks); over the
 * rate limit 429 with Retry-After seconds (https://api.slack.com/docs/rate-limits).
 */
export class SlackStandIn implements Limited {
  readonly budget = new Budget();
  /** hook paths that exist: `/services/T/B/secret` */
  readonly hooks = new Set<string>();
  readonly archived = new Set<string>();
  readonly messages: { hook: string; text: string }[] = [];
  readonly server: LocalServer;

  constructor() {
    this.server = new LocalServer((req, res) => {
      if (req.method !== 'POST' || !this.hooks.has(req.path)) return send(res, 404, 'no_service');
      if (this.archived.has(req.path)) return send(res, 410, 'channel_is_archived');
      const wait = this.budget.take(req.path);
      if (wait !== null)
        return send(res, 429, { ok: false, error: 'rate_limited' }, { 'retry-after': String(Math.ceil(wait)) });
      const body = parse(req.body);
      if (!body) return send(res, 400, 'invalid_payload');
      const text = typeof body.text === 'string' ? body.text : '';
      if (!text && !body.blocks && !body.attachments) return send(res, 400, 'no_text');
      this.messages.push({ hook: req.path, text });
      return send(res, 200, 'ok');
    });
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/**
 * Telegram Bot API sendMessage: POST /bot{token}/sendMessage, JSON {chat_id, text}
 * (https://core.telegram.org/bots/api#sendmessage: text 1-4096 characters). Every answer is
 * {ok, result} or {ok: false, error_code, description, parameters?}; flood control answers 429
 * with parameters.retry_after seconds (https://core.telegram.org/bots/api#responseparameters).
 */
export class TelegramStandIn implements Limited {
  readonly budget = new Budget();
  readonly bots = new Set<string>();
  readonly chats = new Set<string>();
  readonly messages: { token: string; chatId: string; text: string }[] = [];
  readonly server: LocalServer;
  private nextId = 1;

  constructor() {
    const fail = (res: Parameters<typeof send>[0], code: number, description: string, parameters?: object) =>
      send(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });
    this.server = new LocalServer((req, res) => {
      const m = /^\/bot([^/]+)\/sendMessage$/i.exec(req.path);
      if (!m || !this.bots.has(m[1] ?? '')) return fail(res, m ? 401 : 404, m ? 'Unauthorized' : 'Not Found');
      const wait = this.budget.take(m[1] ?? '');
      if (wait !== null) {
        const s = Math.ceil(wait);
        return fail(res, 429, `Too Many Requests: retry after ${s}`, { retry_after: s });
      }
      const body = parse(req.body);
      const chatId = body ? String(body.chat_id ?? '') : '';
      const text = body && typeof body.text === 'string' ? body.text : '';
      if (!chatId) return fail(res, 400, 'Bad Request: chat_id is empty');
      if (!this.chats.has(chatId)) return fail(res, 400, 'Bad Request: chat not found');
      if (!text.trim()) return fail(res, 400, 'Bad Request: message text is empty');
      if ([...text].length > 4096) return fail(res, 400, 'Bad Request: message is too long');
      this.messages.push({ token: m[1] ?? '', chatId, text });
      return send(res, 200, {
        ok: true,
        result: { message_id: this.nextId++, date: Math.floor(Date.now() / 1000), chat: { id: chatId }, text },
      });
    });
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
