import {
  ACTIONS,
  ERROR_CODES,
  ingestRequestSchema,
  ORDER_ROLES,
  ORDER_SIDES,
  ORDER_STATUSES,
  SIGNAL_STATUSES,
} from '@utm/contracts';
import { $Enums } from '@utm/db';

/**
 * The JSON Schemas (2020-12, OpenAPI 3.1's dialect) of the document's components. The
 * request schema is @utm/contracts' object itself, the one the gateway compiles; enums come
 * from the database schema (Prisma) and the error table; only the response shapes are
 * written here, and test/openapi-responses.test.ts holds them against real responses.
 */
export type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const values = (e: Record<string, string>): string[] => Object.values(e);
const string = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
const uuid: Schema = { type: 'string', format: 'uuid' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const DECIMAL_PATTERN = '^-?[0-9]+(\\.[0-9]+)?$';
const decimal: Schema = {
  type: 'string',
  pattern: DECIMAL_PATTERN,
  description: 'A decimal as a JSON string, e.g. "150.25"',
  examples: ['150.25'],
};
const nullableDecimal: Schema = { type: ['string', 'null'], pattern: DECIMAL_PATTERN };

function object(properties: Record<string, Schema>, optional: string[] = [], extra: Schema = {}): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
    ...extra,
  };
}

const errorDetail = object({
  field: string({ description: 'Path of the field, e.g. exitRules.stopLoss.value; "body" for the body itself' }),
  message: string(),
});

const errorBody = object(
  {
    success: { const: false },
    error: {
      type: 'string',
      enum: Object.keys(ERROR_CODES),
      description: 'A code of the error table (@utm/contracts ERROR_CODES)',
    },
    message: string(),
    details: {
      type: 'array',
      items: ref('ErrorDetail'),
      description: 'Every violation at once; present for VALIDATION_ERROR',
    },
  },
  ['details'],
);

const accepted = object({
  success: { const: true },
  signalId: uuid,
  status: { const: 'PENDING' },
  message: { const: 'Signal received and queued for processing' },
});

const duplicate = object({
  success: { const: true },
  signalId: uuid,
  status: { type: 'string', enum: [...SIGNAL_STATUSES], description: "The first signal's current status" },
  message: string(),
  duplicate: { const: true },
});

const errorView = object({ code: string(), message: string() });

const fill = object({ quantity: decimal, price: decimal, at: dateTime });

const order = object(
  {
    orderId: { ...uuid, description: "Also the broker's client order id" },
    signalId: uuid,
    role: { type: 'string', enum: [...ORDER_ROLES] },
    symbol: string(),
    side: { type: 'string', enum: [...ORDER_SIDES] },
    type: { type: 'string', enum: values($Enums.OrderType) },
    quantity: decimal,
    limitPrice: nullableDecimal,
    stopPrice: nullableDecimal,
    timeInForce: { type: 'string', enum: values($Enums.TimeInForce) },
    status: { type: 'string', enum: [...ORDER_STATUSES] },
    filledQuantity: decimal,
    avgFillPrice: nullableDecimal,
    brokerOrderId: { type: ['string', 'null'] },
    createdAt: dateTime,
    updatedAt: dateTime,
    fills: { type: 'array', items: ref('Fill') },
    error: ref('ErrorView'),
  },
  ['fills', 'error'],
);

const summaryProperties: Record<string, Schema> = {
  signalId: uuid,
  status: { type: 'string', enum: [...SIGNAL_STATUSES] },
  accountId: uuid,
  symbol: string({ description: 'The traded ticker (without the exchange prefix the request may carry)' }),
  action: { type: 'string', enum: values($Enums.SignalAction), description: 'The action as sent' },
  appliedAction: {
    type: ['string', 'null'],
    enum: [...ACTIONS, null],
    description:
      'What the action was applied as when decided, on the position held then (buy/sell/setPosition resolved; the others as sent). null until decided, or when refused before (ALREADY_AT_TARGET, STALE_SIGNAL)',
  },
  request: { ...ref('IngestRequest'), description: 'The body as it was received' },
  receivedAt: dateTime,
  updatedAt: dateTime,
  error: { ...ref('ErrorView'), description: 'Why the signal was REJECTED or FAILED' },
};

const signalSummary = object(summaryProperties, ['error']);

const signalEvent = object({
  at: dateTime,
  type: string({ examples: ['RECEIVED', 'PROCESSING', 'SUBMITTED', 'FILLED'] }),
  message: string(),
});

const signal = object(
  {
    ...summaryProperties,
    orders: { type: 'array', items: ref('Order') },
    events: { type: 'array', items: ref('SignalEvent') },
  },
  ['error'],
);

const cursor: Schema = {
  type: ['string', 'null'],
  description: 'Pass as ?cursor= for the next page; null on the last page',
};

const position = object(
  {
    symbol: string(),
    quantity: { ...decimal, description: 'Negative for a short position' },
    avgPrice: decimal,
    markPrice: { type: ['string', 'null'], description: 'The latest quote (null: none yet)' },
    exitOrders: {
      type: 'array',
      items: ref('Order'),
      description: 'Its live exit orders (empty: the position has no stop)',
    },
  },
  ['markPrice', 'exitOrders'],
);

const account = object(
  {
    accountId: uuid,
    name: string(),
    mode: { type: 'string', enum: values($Enums.Mode) },
    broker: { type: 'string', enum: values($Enums.Broker) },
    tradingState: { type: 'string', enum: values($Enums.TradingState) },
    cash: decimal,
    equity: { ...decimal, description: 'Cash plus positions at the latest quote (at cost without one)' },
    positions: { type: 'array', items: ref('Position') },
    openOrders: { type: 'array', items: ref('Order'), description: 'Orders still working' },
    recentFills: { type: 'array', items: { type: 'object' }, description: 'The latest fills, newest first' },
  },
  ['openOrders', 'recentFills'],
);

const upDown: Schema = { type: 'string', enum: ['up', 'down'] };

export function componentSchemas(): Record<string, Schema> {
  return {
    // The very object the gateway's validator compiles: never a copy.
    IngestRequest: ingestRequestSchema as unknown as Schema,
    Accepted: accepted,
    Duplicate: duplicate,
    ErrorBody: errorBody,
    ErrorDetail: errorDetail,
    ErrorView: errorView,
    Fill: fill,
    Order: order,
    SignalEvent: signalEvent,
    SignalSummary: signalSummary,
    Signal: signal,
    SignalList: object({ signals: { type: 'array', items: ref('SignalSummary') }, nextCursor: cursor }),
    OrderList: object({ orders: { type: 'array', items: ref('Order') }, nextCursor: cursor }),
    Position: position,
    Account: account,
    Health: object({ status: { const: 'ok' } }),
    Readiness: object({
      status: { type: 'string', enum: ['ready', 'unavailable', 'shutting-down'] },
      checks: object({ postgres: upDown, redis: upDown }),
    }),
  };
}
