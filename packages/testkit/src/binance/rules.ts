/**
 * The symbols of the Binance spot stand-in and their exchangeInfo filters, with the checks
 * Binance documents for them.
 *
 * Sources (github.com/binance/binance-spot-api-docs):
 * - rest-api.md "Exchange information" (GET /api/v3/exchangeInfo: the symbol entry, orderTypes,
 *   ocoAllowed, filters).
 * - filters.md: PRICE_FILTER (price/stopPrice >= minPrice, <= maxPrice, % tickSize == 0; a 0
 *   disables that part), LOT_SIZE (quantity >= minQty, <= maxQty, % stepSize == 0), NOTIONAL
 *   (minNotional <= price × quantity <= maxNotional; for MARKET orders only with
 *   applyMinToMarket / applyMaxToMarket, at the average price — here the last price, as with
 *   avgPriceMins 0).
 * - errors.md "Filter failures": each failure is -1013 with "Filter failure: <FILTER>".
 */
import { Decimal } from '@utm/db';

export interface SymbolRules {
  /** Binance's id, e.g. BTCUSDT. */
  symbol: string;
  baseAsset: string;
  quoteAsset: string;
  tickSize: string;
  minPrice: string;
  maxPrice: string;
  stepSize: string;
  minQty: string;
  maxQty: string;
  minNotional: string;
  maxNotional: string;
  applyMinToMarket: boolean;
  applyMaxToMarket: boolean;
  orderTypes: string[];
  ocoAllowed: boolean;
  status: 'TRADING' | 'HALT' | 'BREAK';
}

const ALL_TYPES = [
  'LIMIT',
  'LIMIT_MAKER',
  'MARKET',
  'STOP_LOSS',
  'STOP_LOSS_LIMIT',
  'TAKE_PROFIT',
  'TAKE_PROFIT_LIMIT',
];

/** Filters as Binance shows them for these pairs (values of the live exchange, rounded for tests). */
export const DEFAULT_SYMBOLS: SymbolRules[] = [
  {
    symbol: 'BTCUSDT',
    baseAsset: 'BTC',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '1000000',
    stepSize: '0.00001',
    minQty: '0.00001',
    maxQty: '9000',
    minNotional: '5',
    maxNotional: '9000000',
    applyMinToMarket: true,
    applyMaxToMarket: false,
    orderTypes: ALL_TYPES,
    ocoAllowed: true,
    status: 'TRADING',
  },
  {
    symbol: 'ETHUSDT',
    baseAsset: 'ETH',
    quoteAsset: 'USDT',
    tickSize: '0.01',
    minPrice: '0.01',
    maxPrice: '1000000',
    stepSize: '0.0001',
    minQty: '0.0001',
    maxQty: '9000',
    minNotional: '5',
    maxNotional: '9000000',
    applyMinToMarket: true,
    applyMaxToMarket: false,
    orderTypes: ALL_TYPES,
    ocoAllowed: true,
    status: 'TRADING',
  },
];

/** One symbol entry of GET /api/v3/exchangeInfo. */
export function symbolJson(r: SymbolRules): Record<string, unknown> {
  return {
    symbol: r.symbol,
    status: r.status,
    baseAsset: r.baseAsset,
    baseAssetPrecision: 8,
    quoteAsset: r.quoteAsset,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: r.orderTypes,
    icebergAllowed: true,
    ocoAllowed: r.ocoAllowed,
    otoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    amendAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: 'PRICE_FILTER', minPrice: r.minPrice, maxPrice: r.maxPrice, tickSize: r.tickSize },
      { filterType: 'LOT_SIZE', minQty: r.minQty, maxQty: r.maxQty, stepSize: r.stepSize },
      {
        filterType: 'NOTIONAL',
        minNotional: r.minNotional,
        applyMinToMarket: r.applyMinToMarket,
        maxNotional: r.maxNotional,
        applyMaxToMarket: r.applyMaxToMarket,
        avgPriceMins: 0,
      },
      { filterType: 'MARKET_LOT_SIZE', minQty: '0', maxQty: r.maxQty, stepSize: '0' },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['NONE', 'EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

export function exchangeInfoJson(symbols: SymbolRules[], serverTime: number): Record<string, unknown> {
  return {
    timezone: 'UTC',
    serverTime,
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
    ],
    exchangeFilters: [],
    symbols: symbols.map(symbolJson),
  };
}

export interface FilterInput {
  type: string;
  quantity: Decimal;
  price: Decimal | null;
  stopPrice: Decimal | null;
  /** The last traded price, for MARKET orders' notional. */
  lastPrice: Decimal | null;
}

const multipleOf = (v: Decimal, step: Decimal): boolean => step.isZero() || v.mod(step).isZero();

function priceOk(r: SymbolRules, p: Decimal): boolean {
  const min = new Decimal(r.minPrice);
  const max = new Decimal(r.maxPrice);
  return (min.isZero() || p.gte(min)) && (max.isZero() || p.lte(max)) && multipleOf(p, new Decimal(r.tickSize));
}

/** The first filter the order fails (filters.md), as Binance's message, or null. */
export function filterFailure(r: SymbolRules, o: FilterInput): string | null {
  for (const p of [o.price, o.stopPrice]) if (p && !priceOk(r, p)) return 'Filter failure: PRICE_FILTER';
  const q = o.quantity;
  if (q.lt(r.minQty) || q.gt(r.maxQty) || !multipleOf(q, new Decimal(r.stepSize))) return 'Filter failure: LOT_SIZE';
  const market = o.type === 'MARKET';
  const price = market ? o.lastPrice : (o.price ?? o.stopPrice);
  if (price) {
    const notional = price.times(q);
    if ((!market || r.applyMinToMarket) && notional.lt(r.minNotional)) return 'Filter failure: NOTIONAL';
    if ((!market || r.applyMaxToMarket) && notional.gt(r.maxNotional)) return 'Filter failure: NOTIONAL';
  }
  return null;
}
