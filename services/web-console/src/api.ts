import { clearApiKey, getApiKey } from './session';

/** The JSON shapes of the gateway's API (docs/contract.md, plus the console's additions). Decimals are strings. */
export type SignalStatus =
  | 'PENDING'
  | 'PROCESSING'
  | 'SUBMITTED'
  | 'PARTIALLY_FILLED'
  | 'FILLED'
  | 'REJECTED'
  | 'FAILED'
  | 'CANCELLED'
  | 'EXPIRED';
export const SIGNAL_STATUSES: SignalStatus[] = [
  'PENDING',
  'PROCESSING',
  'SUBMITTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'REJECTED',
  'FAILED',
  'CANCELLED',
  'EXPIRED',
];
export type TradingState = 'ACTIVE' | 'REDUCE_ONLY' | 'HALTED';

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface SignalSummary {
  signalId: string;
  status: SignalStatus;
  accountId: string;
  symbol: string;
  action: string;
  /** What the action was applied as when decided (TradingView's buy/sell/setPosition resolved). */
  appliedAction: string | null;
  request: Record<string, unknown>;
  receivedAt: string;
  updatedAt: string;
  error?: ErrorInfo;
}

export interface Fill {
  quantity: string;
  price: string;
  at: string;
}

export interface Order {
  orderId: string;
  signalId: string;
  role: string;
  symbol: string;
  side: string;
  type: string;
  quantity: string;
  limitPrice: string | null;
  stopPrice: string | null;
  timeInForce: string;
  status: string;
  filledQuantity: string;
  avgFillPrice: string | null;
  brokerOrderId: string | null;
  createdAt: string;
  updatedAt: string;
  fills?: Fill[];
  error?: ErrorInfo;
}

export interface SignalEvent {
  at: string;
  type: string;
  message: string;
}

export interface SignalDetail extends SignalSummary {
  orders: Order[];
  events: SignalEvent[];
}

export interface AccountSummary {
  accountId: string;
  name: string;
  mode: 'PAPER' | 'LIVE';
  broker: string;
  cash: string;
  equity: string;
  tradingState: TradingState;
}

export interface Position {
  symbol: string;
  quantity: string;
  avgPrice: string;
  markPrice: string | null;
  exitOrders: Order[];
}

export interface AccountFill {
  orderId: string;
  signalId: string;
  symbol: string;
  side: string;
  role: string;
  quantity: string;
  price: string;
  at: string;
}

export interface AccountDetail extends AccountSummary {
  positions: Position[];
  openOrders: Order[];
  recentFills: AccountFill[];
}

export interface SignalPage {
  signals: SignalSummary[];
  nextCursor: string | null;
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

async function request<T>(method: 'GET' | 'POST', path: string, apiKey = getApiKey()): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { 'X-API-Key': apiKey ?? '', Accept: 'application/json' } });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The gateway did not answer. Is it running?');
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (body ?? {}) as { error?: unknown; message?: unknown };
    const code = typeof e.error === 'string' ? e.error : `HTTP_${res.status}`;
    const message = typeof e.message === 'string' ? e.message : `The gateway answered ${res.status}`;
    if (res.status === 401 && apiKey === getApiKey()) {
      clearApiKey();
      unauthorizedListeners.forEach((l) => l());
    }
    throw new ApiError(res.status, code, message);
  }
  return body as T;
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
};
