import type { WebhookPayload } from '@utm/contracts';

/**
 * One readable line (or two) per event for the chat services: symbol, action, status,
 * quantity @ price, reason. Pure; works from the event's `data` (the read API's object).
 */
type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Obj | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v.filter((x) => obj(x)) as Obj[]) : []);

function reasonOf(d: Obj): string | undefined {
  const e = obj(d.error);
  return e ? `${str(e.code) ?? 'ERROR'}: ${str(e.message) ?? ''}`.trim() : undefined;
}

/** "10 @ 150.25" from an order's fills, else its size and price. */
function sizeOf(o: Obj): string | undefined {
  const filled = str(o.filledQuantity);
  if (filled && filled !== '0') return `${filled} @ ${str(o.avgFillPrice) ?? 'market'}`;
  const q = str(o.quantity);
  if (!q) return undefined;
  const price = str(o.limitPrice) ?? str(o.stopPrice);
  return price ? `${q} @ ${price}` : q;
}

function signalLine(d: Obj, icon: string): string {
  const orders = arr(d.orders).filter((o) => o.role === 'ENTRY' || o.role === 'CLOSE');
  const sizes = orders.map(sizeOf).filter((s): s is string => s !== undefined);
  const request = obj(d.request);
  const size = sizes.length ? sizes.join(', ') : (str(String(request?.quantity ?? '')) ?? undefined);
  const reason = reasonOf(d);
  const head = `${icon} ${str(d.symbol) ?? '?'} ${str(d.action) ?? ''} ${str(d.status) ?? ''}`.replace(/\s+/g, ' ');
  return [head + (size ? ` — ${size}` : ''), reason].filter(Boolean).join('\n');
}

function orderLine(d: Obj, what: string): string {
  const size = sizeOf(d);
  const head = `${str(d.symbol) ?? '?'} ${str(d.role) ?? ''} ${str(d.side) ?? ''} ${str(d.status) ?? ''}`.replace(
    /\s+/g,
    ' ',
  );
  return `${what} ${head}${size ? ` — ${size}` : ''}`;
}

export function messageOf(p: WebhookPayload): string {
  const d = p.data as Obj;
  const note = p.message;
  switch (p.type) {
    case 'signal.filled':
      return signalLine(d, '✅');
    case 'signal.rejected':
      return signalLine(d, '⛔');
    case 'signal.failed':
      return signalLine(d, '❌');
    case 'signal.cancelled':
    case 'signal.expired':
      return signalLine(d, '⚪');
    case 'order.filled':
      return orderLine(d, '💰');
    case 'broker.reconciled':
      return [orderLine(d, '🔄'), note].filter(Boolean).join('\n');
    case 'account.halted':
      return [`🛑 Account ${str(d.name) ?? str(d.accountId) ?? '?'} HALTED`, note].filter(Boolean).join('\n');
    case 'position.unprotected':
      return `⚠️ ${str(d.symbol) ?? '?'} position has no stop: ${note ?? ''}`.trim();
    case 'webhook.disabled':
      return `🔕 Notifications to ${str(d.url) ?? 'an endpoint'} were disabled: ${str(d.reason) ?? ''}`.trim();
    case 'webhook.test':
      return '🔔 Test notification from utm: this endpoint receives events.';
  }
}

/** Cut to a service's limit, saying so. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** Slack's mrkdwn reserves &, < and > (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
