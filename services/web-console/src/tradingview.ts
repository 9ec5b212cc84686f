/**
 * Ready-to-paste TradingView alert setups: the webhook URL and the alert messages, each a body
 * the gateway accepts once TradingView has filled its placeholders in. Placeholders are quoted:
 * the gateway takes decimal strings ("150.25") in every number field, and the exchange prefix
 * of {{exchange}}:{{ticker}}.
 *
 * Written for an account; a strategy (broadcast to its subscribers) is a second target kind:
 * the same messages without accountId, sent to the strategy's URL.
 */
export type AlertTarget =
  { kind: 'account'; accountId: string; name: string } | { kind: 'strategy'; strategyId: string; name: string };

/** What the user replaces with their key (TradingView can only put it in the URL). */
export const KEY_PLACEHOLDER = 'YOUR_API_KEY';

/** TradingView's placeholders the messages use: what TradingView puts there, and a sample of it. */
export const PLACEHOLDERS = {
  '{{exchange}}': {
    means: 'the exchange of the chart symbol (NASDAQ, BINANCE; "_DL" for delayed data)',
    sample: 'NASDAQ',
  },
  '{{ticker}}': { means: 'the ticker without the exchange (AAPL, BTCUSDT)', sample: 'AAPL' },
  '{{close}}': {
    means: "the bar's close: the reference price that sizes the order when no quote is known",
    sample: '150.25',
  },
  '{{timenow}}': { means: 'when the alert fired, UTC, to the second (2024-05-01T14:30:00Z)', sample: '' },
  '{{strategy.order.action}}': { means: '"buy" or "sell": the order the strategy just placed', sample: 'buy' },
  '{{strategy.market_position}}': {
    means: '"long", "short" or "flat": the strategy\'s position after that order',
    sample: 'long',
  },
  '{{strategy.order.contracts}}': {
    means: "the order's size (on a reversal it includes the closing part)",
    sample: '10',
  },
  '{{strategy.market_position_size}}': {
    means: "the size of the strategy's position after the order, never negative (0 when flat)",
    sample: '10',
  },
  '{{strategy.order.price}}': { means: 'the price the strategy filled the order at', sample: '150.25' },
} as const;

export type Placeholder = keyof typeof PLACEHOLDERS;

export const INDICATOR_ACTIONS = [
  'openLong',
  'openShort',
  'closeLong',
  'closeShort',
  'reverseToLong',
  'reverseToShort',
] as const;
export type IndicatorAction = (typeof INDICATOR_ACTIONS)[number];

export interface AlertMessage {
  id: 'indicator' | 'strategy' | 'target';
  title: string;
  /** When to use it, in one sentence. */
  use: string;
  /** The message to paste, as TradingView will send it (before its placeholders are filled in). */
  text: string;
  placeholders: Placeholder[];
}

/** The URL to paste into the alert's Webhook URL field. */
export function webhookUrl(origin: string, target: AlertTarget): string {
  const path =
    target.kind === 'account'
      ? '/api/v1/signals/ingest'
      : `/api/v1/strategies/${encodeURIComponent(target.strategyId)}/signals`;
  return `${origin}${path}?apiKey=${KEY_PLACEHOLDER}`;
}

/** Why TradingView could not reach this address, or null when it may (ports 80/443 of a public host). */
export function unreachableFromTradingView(origin: string): string | null {
  const url = new URL(origin);
  const host = url.hostname;
  const local =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\./.test(host) ||
    /^10\./.test(host) ||
    /^192\.168\./.test(host) ||
    /^172\.(1[6-9]|2\d|3[01])\./.test(host) ||
    host === '[::1]';
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (local) return `${host} is not reachable from the internet`;
  if (port !== '80' && port !== '443') return `TradingView sends only to ports 80 and 443, not ${port}`;
  return null;
}

function json(target: AlertTarget, fields: Record<string, string>): string {
  const body: Record<string, string> = { symbol: '{{exchange}}:{{ticker}}', ...fields };
  if (target.kind === 'account') body.accountId = target.accountId;
  body.sentAt = '{{timenow}}';
  return JSON.stringify(body, null, 2);
}

const used = (text: string): Placeholder[] =>
  (Object.keys(PLACEHOLDERS) as Placeholder[]).filter((p) => text.includes(p));

function message(id: AlertMessage['id'], title: string, use: string, text: string): AlertMessage {
  return { id, title, use, text, placeholders: used(text) };
}

/** The three messages: an indicator alert (one action), a strategy alert (buy/sell), a target position. */
export function alertMessages(
  target: AlertTarget,
  indicator: { action: IndicatorAction; quantity: string },
): AlertMessage[] {
  const closes = indicator.action === 'closeLong' || indicator.action === 'closeShort';
  return [
    message(
      'indicator',
      'Indicator alert',
      'An alert on an indicator or a price condition: each alert does one thing, the action you choose here.',
      json(target, {
        action: indicator.action,
        ...(closes ? {} : { quantity: indicator.quantity }),
        price: '{{close}}',
      }),
    ),
    message(
      'strategy',
      'Strategy alert: buy or sell',
      "A strategy's order fills: TradingView says buy or sell and the position after it; the platform applies it to the position it holds (a sell to flat closes the whole long, a buy to long on a short reverses).",
      json(target, {
        action: '{{strategy.order.action}}',
        sentiment: '{{strategy.market_position}}',
        quantity: '{{strategy.order.contracts}}',
        price: '{{strategy.order.price}}',
      }),
    ),
    message(
      'target',
      'Strategy alert: target position',
      "The strategy's position after each fill: the platform buys or sells the difference from what it holds. A missed alert is healed by the next one.",
      json(target, {
        action: 'setPosition',
        sentiment: '{{strategy.market_position}}',
        quantity: '{{strategy.market_position_size}}',
        price: '{{strategy.order.price}}',
      }),
    ),
  ];
}

/**
 * The message as TradingView sends it once an alert fires, with `values` in place of its
 * placeholders (the samples, and the time of `now` for {{timenow}}).
 */
export function fillPlaceholders(text: string, now: Date, values: Partial<Record<Placeholder, string>> = {}): string {
  let out = text;
  for (const p of Object.keys(PLACEHOLDERS) as Placeholder[]) {
    const value =
      values[p] ?? (p === '{{timenow}}' ? now.toISOString().replace(/\.\d{3}Z$/, 'Z') : PLACEHOLDERS[p].sample);
    out = out.split(p).join(value);
  }
  return out;
}
