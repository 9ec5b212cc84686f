import type { JSONSchemaType } from 'ajv';
import { DECIMAL_STRING_PATTERN, type DecimalInput } from './decimal-text';
import { INGEST_RULES } from './ingest-rules';
import { SENT_AT_PATTERN, type SentAtInput } from './sent-at';

/**
 * The body of POST /api/v1/signals/ingest (docs/contract.md, "Sending a signal" and
 * "TradingView"). The type is checked against the schema by ajv's JSONSchemaType.
 */
/** What a signal does to a position: the actions every decision is finally taken in. */
export const ACTIONS = ['openLong', 'openShort', 'closeLong', 'closeShort', 'reverseToLong', 'reverseToShort'] as const;
/** TradingView's words: buy/sell with the position after the order, or a target position. */
export const TRADINGVIEW_ACTIONS = ['buy', 'sell', 'setPosition'] as const;
export const SIGNAL_ACTIONS = [...ACTIONS, ...TRADINGVIEW_ACTIONS] as const;
/** {{strategy.market_position}}: the position after the order (buy/sell), or the target's side (setPosition). */
export const SENTIMENTS = ['long', 'short', 'flat'] as const;
export const QUANTITY_TYPES = ['FIXED', 'PERCENT_EQUITY', 'DOLLAR_AMOUNT', 'PERCENT_POSITION'] as const;
export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'] as const;
export const TIMES_IN_FORCE = ['DAY', 'GTC', 'IOC', 'FOK'] as const;
export const EXIT_RULE_TYPES = ['PERCENT', 'PRICE', 'AMOUNT'] as const;
export const TRAILING_STOP_TYPES = ['PERCENT', 'AMOUNT'] as const;
export const MODES = ['PAPER', 'LIVE'] as const;

export type Action = (typeof ACTIONS)[number];
export type TradingViewAction = (typeof TRADINGVIEW_ACTIONS)[number];
export type SignalActionValue = (typeof SIGNAL_ACTIONS)[number];
export type Sentiment = (typeof SENTIMENTS)[number];
export type QuantityType = (typeof QUANTITY_TYPES)[number];
export type IngestOrderType = (typeof ORDER_TYPES)[number];
export type TimeInForceValue = (typeof TIMES_IN_FORCE)[number];
export type ExitRuleType = (typeof EXIT_RULE_TYPES)[number];
export type TrailingStopType = (typeof TRAILING_STOP_TYPES)[number];
export type ModeValue = (typeof MODES)[number];

export interface ExitRule {
  type: ExitRuleType;
  value: DecimalInput;
}

export interface TrailingStopRule {
  type: TrailingStopType;
  value: DecimalInput;
}

export interface ExitRules {
  stopLoss?: ExitRule;
  takeProfit?: ExitRule;
  trailingStop?: TrailingStopRule;
}

export interface IngestRequest {
  symbol: string;
  action: SignalActionValue;
  accountId: string;
  sentiment?: Sentiment;
  quantity?: DecimalInput;
  quantityType?: QuantityType;
  orderType?: IngestOrderType;
  limitPrice?: DecimalInput;
  stopPrice?: DecimalInput;
  timeInForce?: TimeInForceValue;
  exitRules?: ExitRules;
  strategyId?: string;
  comment?: string;
  idempotencyKey?: string;
  mode?: ModeValue;
  price?: DecimalInput;
  sentAt?: SentAtInput;
}

/** Tickers: 1–15 chars, uppercase letters, digits, `.`, `/`, `-`, starting with a letter. */
export const SYMBOL_PATTERN = '^[A-Z][A-Z0-9./-]{0,14}$';
/**
 * An exchange prefix as TradingView's {{exchange}} writes it ("NASDAQ", "BINANCE", "NYMEX_DL"
 * for delayed data), then a colon: "NASDAQ:AAPL". The ticker after the colon is traded.
 */
export const EXCHANGE_PREFIX_PATTERN = '[A-Z][A-Z0-9_]{0,29}:';
/**
 * The symbol is checked in two halves so that each mistake gets its own message: case
 * ("Symbol must be uppercase") and shape (the same pattern, any case).
 */
export const SYMBOL_UPPERCASE_PATTERN = '^[^a-z]*$';
export const SYMBOL_SHAPE_PATTERN = '^([A-Za-z][A-Za-z0-9_]{0,29}:)?[A-Za-z][A-Za-z0-9./-]{0,14}$';

/** The traded ticker of a symbol as sent ("NASDAQ:AAPL" → "AAPL"; "AAPL" → "AAPL"). */
export function tickerOf(symbol: string): string {
  const colon = symbol.indexOf(':');
  return colon < 0 ? symbol : symbol.slice(colon + 1);
}

/** The exchange prefix of a symbol as sent, if any ("NASDAQ:AAPL" → "NASDAQ"). */
export function exchangeOf(symbol: string): string | undefined {
  const colon = symbol.indexOf(':');
  return colon < 0 ? undefined : symbol.slice(0, colon);
}

/**
 * Upper bound of every number in a request: far beyond any real order, well inside
 * NUMERIC(30,10), so that no valid request can overflow a column later.
 */
export const MAX_NUMBER = 1_000_000_000_000;

/**
 * Optional fields may be absent, never null. JSONSchemaType wants `nullable: true` on
 * optional properties (which would let `null` through); this claims it for the type
 * checker only, so the runtime schema keeps rejecting null.
 */
function optional<S extends object>(schema: S): S & { nullable: true } {
  return schema as S & { nullable: true };
}

/**
 * A number field: a JSON number, or a decimal string in the strict grammar. `minimum` and
 * `maximum` bind both forms (the `x-decimal` keyword applies them to strings, exactly).
 */
export function decimalField<B extends object>(bounds: B) {
  return {
    type: ['number', 'string'],
    pattern: DECIMAL_STRING_PATTERN,
    'x-decimal': true,
    ...bounds,
  } as const;
}

const positive = decimalField({ exclusiveMinimum: 0, maximum: MAX_NUMBER });

// The field types are unions (number | string): JSONSchemaType has no word for them.
type Loose<T> = JSONSchemaType<T> & Record<string, unknown>;
const asField = <T>(schema: object): Loose<T> => schema as Loose<T>;

const exitRule: Loose<ExitRule> = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: {
    type: { type: 'string', enum: EXIT_RULE_TYPES },
    value: asField<DecimalInput>(positive),
  },
};

const trailingStopRule: Loose<TrailingStopRule> = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: {
    type: { type: 'string', enum: TRAILING_STOP_TYPES },
    value: asField<DecimalInput>(positive),
  },
};

export const ingestRequestSchema: JSONSchemaType<IngestRequest> = {
  $id: 'https://schemas.utm.dev/ingest-request.json',
  title: 'IngestRequest',
  type: 'object',
  additionalProperties: false,
  required: ['symbol', 'action', 'accountId'],
  properties: {
    symbol: {
      type: 'string',
      minLength: 1,
      maxLength: 46,
      allOf: [{ pattern: SYMBOL_UPPERCASE_PATTERN }, { pattern: SYMBOL_SHAPE_PATTERN }],
      description: 'A ticker ("AAPL", "BRK.B", "BTC/USD"), optionally after one exchange prefix ("NASDAQ:AAPL")',
    },
    action: { type: 'string', enum: SIGNAL_ACTIONS },
    accountId: { type: 'string', minLength: 1, maxLength: 64 },
    sentiment: optional({ type: 'string', enum: SENTIMENTS }),
    // Its lower bound depends on the action and sentiment (INGEST_RULES): > 0, or >= 0 on a move to flat.
    quantity: optional(asField<DecimalInput>(decimalField({ maximum: MAX_NUMBER }))),
    quantityType: optional({ type: 'string', enum: QUANTITY_TYPES }),
    orderType: optional({ type: 'string', enum: ORDER_TYPES }),
    limitPrice: optional(asField<DecimalInput>(positive)),
    stopPrice: optional(asField<DecimalInput>(positive)),
    timeInForce: optional({ type: 'string', enum: TIMES_IN_FORCE }),
    exitRules: optional({
      type: 'object',
      additionalProperties: false,
      required: [],
      minProperties: 1,
      properties: {
        stopLoss: optional({ ...exitRule }),
        takeProfit: optional({ ...exitRule }),
        trailingStop: optional({ ...trailingStopRule }),
      },
    }),
    strategyId: optional({ type: 'string', minLength: 1, maxLength: 64 }),
    comment: optional({ type: 'string', maxLength: 500 }),
    idempotencyKey: optional({ type: 'string', minLength: 1, maxLength: 128 }),
    mode: optional({ type: 'string', enum: MODES }),
    price: optional(asField<DecimalInput>(positive)),
    sentAt: optional(
      asField<SentAtInput>({
        type: ['integer', 'string'],
        minimum: 0,
        pattern: SENT_AT_PATTERN,
        'x-sent-at': true,
        description:
          'When the sender sent it: ISO-8601 with an offset (TradingView {{timenow}}: "2024-05-01T14:30:00Z") or epoch milliseconds',
      }),
    ),
  },
  allOf: INGEST_RULES.map((r) => r.schema) as unknown as JSONSchemaType<IngestRequest>['allOf'],
};

/** The request with its defaults filled in and its ticker apart (the stored request stays as received). */
export interface NormalizedIngestRequest extends IngestRequest {
  /** The traded ticker (the symbol without its exchange prefix). */
  symbol: string;
  /** The exchange prefix as sent, if there was one. */
  exchange?: string;
  quantityType: QuantityType;
  orderType: IngestOrderType;
  timeInForce: TimeInForceValue;
}

export function withDefaults(req: IngestRequest): NormalizedIngestRequest {
  const exchange = exchangeOf(req.symbol);
  return {
    ...req,
    symbol: tickerOf(req.symbol),
    ...(exchange === undefined ? {} : { exchange }),
    quantityType: req.quantityType ?? 'FIXED',
    orderType: req.orderType ?? 'MARKET',
    timeInForce: req.timeInForce ?? 'DAY',
  };
}
