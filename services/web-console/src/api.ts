import { clearApiKey, getApiKey } from './session';

import type {
  AccountDetailView,
  AccountFillView,
  AccountSummaryView,
  ErrorView,
  FillView,
  OrderView,
  PositionDetailView,
  SignalEventView,
  SignalPage as SignalPageView,
  SignalStatus as SignalStatusValue,
  SignalSummaryView,
  SignalView,
  TradingState as TradingStateValue,
} from '@utm/contracts';
// The one value the console takes from the lifecycles: lifecycles.js alone (no Node dependencies), not the package's index.
import { SIGNAL_STATUSES as STATUSES } from '@utm/contracts/dist/lifecycles';

/**
 * The JSON shapes of the gateway's API: @utm/contracts' read views (docs/contract.md, plus the
 * console's additions), with the lifecycles' vocabulary. Decimals are strings.
 */
export type SignalStatus = SignalStatusValue;
export const SIGNAL_STATUSES: readonly SignalStatus[] = STATUSES;
export type TradingState = TradingStateValue;
export type ErrorInfo = ErrorView;
export type SignalSummary = SignalSummaryView;
export type Fill = FillView;
export type Order = OrderView;
export type SignalEvent = SignalEventView;
export type SignalDetail = SignalView;
export type AccountSummary = AccountSummaryView;
export type Position = PositionDetailView;
export type AccountFill = AccountFillView;
export type AccountDetail = AccountDetailView;
export type SignalPage = SignalPageView;

export const WEBHOOK_EVENTS = [
  'signal.filled',
  'signal.rejected',
  'signal.failed',
  'signal.cancelled',
  'signal.expired',
  'order.filled',
  'account.halted',
  'position.unprotected',
  'broker.reconciled',
  'webhook.disabled',
] as const;
export type WebhookKind = 'webhook' | 'discord' | 'slack' | 'telegram';

export interface Webhook {
  webhookId: string;
  kind: WebhookKind;
  url: string;
  events: string[];
  description: string | null;
  status: 'ACTIVE' | 'DISABLED';
  failingSince: string | null;
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
}

export interface Attempt {
  at: string;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  response: string | null;
}

export interface Delivery {
  deliveryId: string;
  eventId: string;
  event: string;
  status: 'PENDING' | 'DELIVERED' | 'FAILED';
  attempts: number;
  lastResponseCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  attemptLog: Attempt[];
}

export interface SignalFilter {
  accountId?: string | undefined;
  status?: string | undefined;
  symbol?: string | undefined;
}

/** A refused request: the API's error code and words (its error body), or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when the key is refused (401): the session ends and the app shows the sign-in page. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

async function request<T>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  apiKey = getApiKey(),
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        'X-API-Key': apiKey ?? '',
        Accept: 'application/json',
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The gateway did not answer. Is it running?');
  }
  const answer: unknown = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const e = (answer ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof e.error === 'string' ? e.error : `HTTP_${res.status}`;
    const message = typeof e.message === 'string' ? e.message : `The gateway answered ${res.status}`;
    if (res.status === 401 && apiKey === getApiKey()) {
      clearApiKey();
      unauthorizedListeners.forEach((l) => l());
    }
    throw new ApiError(res.status, code, message);
  }
  return answer as T;
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const api = {
  /** Checks a key before it is kept (sign-in). */
  verifyKey: (apiKey: string) => request<{ accounts: AccountSummary[] }>('GET', '/api/v1/accounts', apiKey),
  signals: (f: SignalFilter, cursor?: string) =>
    request<SignalPage>(
      'GET',
      `/api/v1/signals${query({ accountId: f.accountId, status: f.status, symbol: f.symbol, limit: '50', cursor })}`,
    ),
  signal: (id: string) => request<SignalDetail>('GET', `/api/v1/signals/${encodeURIComponent(id)}`),
  accounts: () => request<{ accounts: AccountSummary[] }>('GET', '/api/v1/accounts'),
  account: (id: string) => request<AccountDetail>('GET', `/api/v1/accounts/${encodeURIComponent(id)}`),
  setTradingState: (id: string, action: 'halt' | 'reduce-only' | 'resume') =>
    request<AccountDetail>('POST', `/api/v1/accounts/${encodeURIComponent(id)}/${action}`),
  webhooks: () => request<{ webhooks: Webhook[] }>('GET', '/api/v1/webhooks'),
  createWebhook: (w: { url: string; kind: WebhookKind; events: string[]; description?: string }) =>
    request<Webhook & { secret: string }>('POST', '/api/v1/webhooks', undefined, w),
  deleteWebhook: (id: string) => request<null>('DELETE', `/api/v1/webhooks/${encodeURIComponent(id)}`),
  testWebhook: (id: string) =>
    request<{ deliveryId: string }>('POST', `/api/v1/webhooks/${encodeURIComponent(id)}/test`),
  deliveries: (id: string) =>
    request<{ deliveries: Delivery[]; nextCursor: string | null }>(
      'GET',
      `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries?limit=50`,
    ),
  retryDelivery: (id: string, deliveryId: string) =>
    request<{ deliveryId: string }>(
      'POST',
      `/api/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`,
    ),
};
