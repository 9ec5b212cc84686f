/**
 * A ccxt exchange client for one account, spot only, and the market rules it loads.
 *
 * ccxt (github.com/ccxt/ccxt, js/src/base/Exchange.js, js/src/binance.js 4.5.x):
 * - the constructor deep-merges its config over the exchange's description, so `urls.api`
 *   entries replace the REST endpoints (the stand-in in tests, a proxy);
 * - setSandboxMode(true) swaps urls.api for urls.test (Binance: testnet.binance.vision) and must
 *   come before any request;
 * - binance options: fetchMarkets.types ['spot'] (GET /api/v3/exchangeInfo only, no futures),
 *   fetchCurrencies / fetchMargins false (no sapi calls, which the testnet lacks),
 *   recvWindow (ms) sent with every signed request, warnOnFetchOpenOrdersWithoutSymbol;
 * - precisionMode TICK_SIZE: market.precision.amount / .price are the step and tick;
 *   limits.amount/price/cost the min and max (binance: LOT_SIZE, PRICE_FILTER, NOTIONAL or
 *   MIN_NOTIONAL filters, parseMarket).
 * - handleErrors(code, reason, url, method, headers, body, response, …) throws the error for an
 *   answer; some of them carry only the exchange's msg, so the body is kept on the error for
 *   errors.ts.
 */
import ccxt, { type Exchange, type MarketInterface } from 'ccxt';
import { Decimal } from '@utm/db';
import type { InstrumentRules } from '@utm/db';

export interface CcxtAccountConfig {
  /** ccxt's exchange id, e.g. "binance". */
  exchange: string;
  apiKey: string;
  secret: string;
  password?: string;
  /** The exchange's test network (ccxt's sandbox mode). */
  sandbox: boolean;
}

export interface ExchangeOptions {
  /** Bound on one HTTP call (ccxt's `timeout`). */
  timeoutMs: number;
  /** Replacements for urls.api entries (a local stand-in, a proxy), applied after the sandbox switch. */
  urls?: Record<string, string>;
  /** An origin that replaces the exchange's in every urls.api entry, paths kept (a proxy, a stand-in). */
  origin?: string;
  /** ccxt's client-side request throttle (default on). */
  enableRateLimit?: boolean;
}

type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

/** Whether ccxt knows the exchange, and whether it has a test network. */
export function exchangeInfo(id: string): { known: boolean; sandbox: boolean } {
  if (!ccxt.exchanges.includes(id)) return { known: false, sandbox: false };
  const Ctor = (ccxt as unknown as Record<string, ExchangeClass>)[id];
  if (!Ctor) return { known: false, sandbox: false };
  const urls = new Ctor({}).urls as { test?: unknown };
  return { known: true, sandbox: urls.test !== undefined };
}

export function createExchange(account: CcxtAccountConfig, opts: ExchangeOptions): Exchange {
  const Ctor = ccxt.exchanges.includes(account.exchange)
    ? (ccxt as unknown as Record<string, ExchangeClass>)[account.exchange]
    : undefined;
  if (!Ctor) throw new Error(`ccxt has no exchange "${account.exchange}"`);
  const ex = new Ctor({
    apiKey: account.apiKey,
    secret: account.secret,
    ...(account.password ? { password: account.password } : {}),
    timeout: opts.timeoutMs,
    enableRateLimit: opts.enableRateLimit ?? true,
    options: {
      defaultType: 'spot',
      fetchMarkets: { types: ['spot'] },
      fetchCurrencies: false,
      fetchMargins: false,
      recvWindow: 5000,
      warnOnFetchOpenOrdersWithoutSymbol: false,
    },
  });
  if (account.sandbox) ex.setSandboxMode(true);
  if (opts.origin) ex.urls.api = withOrigin(ex.urls.api as Record<string, unknown>, opts.origin);
  if (opts.urls) ex.urls.api = { ...(ex.urls.api as Record<string, string>), ...opts.urls };
  keepErrorBodies(ex);
  return ex;
}

function withOrigin(api: Record<string, unknown>, origin: string): Record<string, unknown> {
  const base = new URL(origin);
  return Object.fromEntries(
    Object.entries(api).map(([k, v]) => {
      if (typeof v !== 'string') return [k, v];
      const u = new URL(v);
      return [k, `${base.origin}${u.pathname.replace(/\/$/, '')}`];
    }),
  );
}

function keepErrorBodies(ex: Exchange): void {
  const handleErrors = ex.handleErrors.bind(ex);
  ex.handleErrors = (...args: Parameters<Exchange['handleErrors']>) => {
    try {
      return handleErrors(...args);
    } catch (err) {
      if (err instanceof Error) {
        const headers = (args[4] ?? {}) as Record<string, string | undefined>;
        Object.defineProperties(err, {
          body: { value: args[5], enumerable: false },
          httpStatus: { value: args[0], enumerable: false },
          retryAfter: { value: headers['Retry-After'], enumerable: false },
        });
      }
      throw err;
    }
  };
}

const dec = (v: number | string | undefined | null): Decimal | null =>
  v === undefined || v === null || v === '' ? null : new Decimal(String(v));

const positive = (v: Decimal | null): Decimal | null => (v && v.gt(0) ? v : null);

/**
 * A market's rules as instrument_rules keeps them, under the venue's name ("ccxt:binance"): from
 * Binance's raw filters when ccxt kept them (exact strings: LOT_SIZE stepSize and minQty,
 * PRICE_FILTER tickSize, NOTIONAL or MIN_NOTIONAL minNotional), else from ccxt's unified
 * precision and limits. A spot market: long only, fractional.
 */
export function instrumentOfMarket(venue: string, m: MarketInterface): Omit<InstrumentRules, 'fetchedAt'> {
  const info = (m.info ?? {}) as { filters?: Record<string, unknown>[] };
  const filter = (type: string) => info.filters?.find((f) => f.filterType === type);
  const str = (f: Record<string, unknown> | undefined, k: string) =>
    typeof f?.[k] === 'string' ? (f[k] as string) : undefined;
  const notional = filter('NOTIONAL') ?? filter('MIN_NOTIONAL');
  return {
    venue,
    symbol: m.symbol,
    assetClass: 'spot',
    tradable: m.active !== false,
    shortable: false,
    fractionable: true,
    quantityStep: positive(dec(str(filter('QUANTITY_INCREMENT'), 'stepSize') ?? m.precision.amount)),
    minQuantity: positive(dec(str(filter('QUANTITY_INCREMENT'), 'minQty') ?? m.limits.amount?.min)),
    tickSize: positive(dec(str(filter('PRICE_FILTER'), 'tickSize') ?? m.precision.price)),
    minNotional: positive(dec(str(notional, 'minNotional') ?? m.limits.cost?.min)),
  };
}
