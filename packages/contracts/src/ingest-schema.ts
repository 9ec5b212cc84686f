import type { JSONSchemaType } from 'ajv';

/**
 * The body of POST /api/v1/signals/ingest, exactly as ../shared/SPEC.md defines it.
 * The type is checked against the schema by ajv's JSONSchemaType: they cannot drift.
 */
export const ACTIONS = ['openLong', 'openShort', 'closeLong', 'closeShort', 'reverseToLong', 'reverseToShort'] as const;
export const QUANTITY_TYPES = ['FIXED', 'PERCENT_EQUITY', 'DOLLAR_AMOUNT', 'PERCENT_POSITION'] as const;
export const ORDER_TYPES = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'] as const;
export const TIMES_IN_FORCE = ['DAY', 'GTC', 'IOC', 'FOK'] as const;
export const EXIT_RULE_TYPES = ['PERCENT', 'PRICE', 'AMOUNT'] as const;
export const TRAILING_STOP_TYPES = ['PERCENT', 'AMOUNT'] as const;
export const MODES = ['PAPER', 'LIVE'] as const;

export type Action = (typeof ACTIONS)[number];
export type QuantityType = (typeof QUANTITY_TYPES)[number];
export type IngestOrderType = (typeof ORDER_TYPES)[number];
export type TimeInForceValue = (typeof TIMES_IN_FORCE)[number];
export type ExitRuleType = (typeof EXIT_RULE_TYPES)[number];
export type TrailingStopType = (typeof TRAILING_STOP_TYPES)[number];
export type ModeValue = (typeof MODES)[number];

export interface ExitRule {
  type: ExitRuleType;
  value: number;
}

export interface TrailingStopRule {
  type: TrailingStopType;
  value: number;
}

export interface ExitRules {
  stopLoss?: ExitRule;
  takeProfit?: ExitRule;
  trailingStop?: TrailingStopRule;
}

export interface IngestRequest {
  symbol: string;
  action: Action;
  accountId: string;
  quantity?: number;
  quantityType?: QuantityType;
  orderType?: IngestOrderType;
  limitPrice?: number;
  stopPrice?: number;
  timeInForce?: TimeInForceValue;
  exitRules?: ExitRules;
  strategyId?: string;
  comment?: string;
  idempotencyKey?: string;
  mode?: ModeValue;
  price?: number;
}

/** Symbols: 1–15 chars, uppercase letters, digits, `.`, `/`, `-`, starting with a letter. */
export const SYMBOL_PATTERN = '^[A-Z][A-Z0-9./-]{0,14}$';
/**
 * The symbol is checked in two halves so that each mistake gets its own message: case
 * ("Symbol must be uppercase", as SPEC.md words it) and shape (the same pattern, any case).
 */
export const SYMBOL_UPPERCASE_PATTERN = '^[^a-z]*$';
export const SYMBOL_SHAPE_PATTERN = '^[A-Za-z][A-Za-z0-9./-]{0,14}$';

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

const positive = { type: 'number', exclusiveMinimum: 0, maximum: MAX_NUMBER } as const;

const exitRule: JSONSchemaType<ExitRule> = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: {
    type: { type: 'string', enum: EXIT_RULE_TYPES },
    value: positive,
  },
};

const trailingStopRule: JSONSchemaType<TrailingStopRule> = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'value'],
  properties: {
    type: { type: 'string', enum: TRAILING_STOP_TYPES },
    value: positive,
  },
};

const OPEN_ACTIONS: Action[] = ['openLong', 'openShort'];
const CLOSE_ACTIONS: Action[] = ['closeLong', 'closeShort'];

/**
 * Cross-field rules of SPEC.md, as if/then/else so that each violation is reported on the
 * field it concerns. `false` schemas reject a field that the order type does not use.
 */
const rules = [
  // quantity is required for openLong/openShort.
  { if: { required: ['action'], properties: { action: { enum: OPEN_ACTIONS } } }, then: { required: ['quantity'] } },
  // exitRules only with open*/reverse* actions.
  {
    if: { required: ['action'], properties: { action: { enum: CLOSE_ACTIONS } } },
    then: { properties: { exitRules: false } },
  },
  // Percentages: 0 < v <= 100.
  {
    if: { required: ['quantityType'], properties: { quantityType: { enum: ['PERCENT_EQUITY', 'PERCENT_POSITION'] } } },
    then: { properties: { quantity: { maximum: 100 } } },
  },
  // LIMIT and STOP_LIMIT need limitPrice; the other types must not carry one.
  {
    if: { required: ['orderType'], properties: { orderType: { enum: ['LIMIT', 'STOP_LIMIT'] } } },
    then: { required: ['limitPrice'] },
    else: { properties: { limitPrice: false } },
  },
  // STOP and STOP_LIMIT need stopPrice; the other types must not carry one.
  {
    if: { required: ['orderType'], properties: { orderType: { enum: ['STOP', 'STOP_LIMIT'] } } },
    then: { required: ['stopPrice'] },
    else: { properties: { stopPrice: false } },
  },
];

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
      maxLength: 15,
      allOf: [{ pattern: SYMBOL_UPPERCASE_PATTERN }, { pattern: SYMBOL_SHAPE_PATTERN }],
    },
    action: { type: 'string', enum: ACTIONS },
    accountId: { type: 'string', minLength: 1, maxLength: 64 },
    quantity: optional({ ...positive }),
    quantityType: optional({ type: 'string', enum: QUANTITY_TYPES }),
    orderType: optional({ type: 'string', enum: ORDER_TYPES }),
    limitPrice: optional({ ...positive }),
    stopPrice: optional({ ...positive }),
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
    price: optional({ ...positive }),
  },
  allOf: rules as unknown as JSONSchemaType<IngestRequest>['allOf'],
};

/** The request with SPEC.md's defaults filled in (the stored request stays as received). */
export interface NormalizedIngestRequest extends IngestRequest {
  quantityType: QuantityType;
  orderType: IngestOrderType;
  timeInForce: TimeInForceValue;
}

export function withDefaults(req: IngestRequest): NormalizedIngestRequest {
  return {
    ...req,
    quantityType: req.quantityType ?? 'FIXED',
    orderType: req.orderType ?? 'MARKET',
    timeInForce: req.timeInForce ?? 'DAY',
  };
}
