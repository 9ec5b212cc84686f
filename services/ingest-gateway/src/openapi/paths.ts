import { httpStatusOf, ORDER_STATUSES, SIGNAL_STATUSES, type ErrorCode } from '@utm/contracts';
import { DEFAULT_LIMIT, MAX_LIMIT } from '../domain/paging';
import { INGEST_ERROR_EXAMPLES, INVALID_REQUESTS, VALID_REQUESTS, type ErrorExample } from './examples';
import type { Schema } from './schemas';
import { webhookPaths } from './webhook-paths';

/** The operations of the gateway. Every route of the app must appear here (a test checks). */

const json = (schemaName: string, extra: Schema = {}): Schema => ({
  'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` }, ...extra },
});
export const withRequestId = { 'X-Request-Id': { $ref: '#/components/headers/X-Request-Id' } };

function ok(description: string, schemaName: string): Schema {
  return { description, headers: withRequestId, content: json(schemaName) };
}

/**
 * Error responses for the given codes, grouped by the HTTP status that the error table
 * (ERROR_CODES) gives each, with examples where there are some.
 */
export function errors(
  codes: ErrorCode[],
  examples: Record<number, Record<string, ErrorExample>> = {},
): Record<string, Schema> {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(httpStatusOf(code), [...(byStatus.get(httpStatusOf(code)) ?? []), code]);
  const out: Record<string, Schema> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    const ex = examples[status];
    out[String(status)] = {
      description: list.join(' | '),
      headers:
        status === 429
          ? {
              ...withRequestId,
              'Retry-After': {
                description: 'Seconds until a request would be admitted',
                schema: { type: 'integer', minimum: 1 },
              },
            }
          : withRequestId,
      content: {
        'application/json': {
          schema: { allOf: [{ $ref: '#/components/schemas/ErrorBody' }, { properties: { error: { enum: list } } }] },
          ...(ex ? { examples: ex } : {}),
        },
      },
    };
  }
  return out;
}

const INGEST_ERRORS: ErrorCode[] = [
  'VALIDATION_ERROR',
  'INVALID_API_KEY',
  'ACCOUNT_NOT_FOUND',
  'IDEMPOTENCY_CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'MODE_MISMATCH',
  'RATE_LIMIT_EXCEEDED',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
];
export const READ_ERRORS: ErrorCode[] = [
  'VALIDATION_ERROR',
  'INVALID_API_KEY',
  'INTERNAL_ERROR',
  'SERVICE_UNAVAILABLE',
];

const requestExamples = {
  ...VALID_REQUESTS,
  // Refused with the 400 example of the same name.
  ...Object.fromEntries(
    Object.entries(INVALID_REQUESTS).map(([name, e]) => [
      name,
      { summary: e.summary, value: e.value, 'x-expected-error': 'VALIDATION_ERROR' },
    ]),
  ),
};

export const API_KEY = [{ ApiKeyHeader: [] }, { ApiKeyQuery: [] }];

const param = (name: string, where: 'path' | 'query', schema: Schema, description: string): Schema => ({
  name,
  in: where,
  required: where === 'path',
  description,
  schema,
});
const limit = param(
  'limit',
  'query',
  { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT },
  'Page size',
);
const cursor = param('cursor', 'query', { type: 'string' }, 'nextCursor of the previous page');

const ingest: Schema = {
  post: {
    operationId: 'ingestSignal',
    summary: 'Send a trading signal',
    description:
      'Authenticates, validates (all violations at once, unknown fields rejected), rate-limits, applies idempotency, stores the signal PENDING and queues it. ' +
      'A text/plain body holding JSON is accepted too (TradingView). Bodies over 16 KiB: 413.',
    security: API_KEY,
    parameters: [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: false,
        description:
          'Same as the body field idempotencyKey (for senders that can set headers); both present must agree',
        schema: { type: 'string', minLength: 1, maxLength: 128 },
      },
    ],
    requestBody: {
      required: true,
      content: {
        'application/json': { schema: { $ref: '#/components/schemas/IngestRequest' }, examples: requestExamples },
        'text/plain': {
          schema: {
            type: 'string',
            contentMediaType: 'application/json',
            contentSchema: { $ref: '#/components/schemas/IngestRequest' },
          },
          examples: {
            tradingview: {
              summary: 'A TradingView alert body',
              value: JSON.stringify(VALID_REQUESTS['tradingview-percent-equity']?.value),
            },
          },
        },
      },
    },
    responses: {
      '200': ok('Same idempotency key and same body within 24 h: the first signal, duplicate: true', 'Duplicate'),
      '202': ok('Accepted: stored PENDING and queued for processing', 'Accepted'),
      ...errors(INGEST_ERRORS, INGEST_ERROR_EXAMPLES),
    },
  },
};

const signals: Schema = {
  get: {
    operationId: 'listSignals',
    summary: "The key's user's signals, newest first",
    security: API_KEY,
    parameters: [
      param('accountId', 'query', { type: 'string' }, "Only this account (404 if not the user's)"),
      param('status', 'query', { type: 'string', enum: [...SIGNAL_STATUSES] }, 'Only this status'),
      limit,
      cursor,
    ],
    responses: { '200': ok('A page of signals', 'SignalList'), ...errors([...READ_ERRORS, 'ACCOUNT_NOT_FOUND']) },
  },
};

const signal: Schema = {
  get: {
    operationId: 'getSignal',
    summary: 'One signal with its orders and events',
    security: API_KEY,
    parameters: [param('signalId', 'path', { type: 'string' }, "Another user's signal is 404, like an unknown one")],
    responses: { '200': ok('The signal', 'Signal'), ...errors([...READ_ERRORS, 'SIGNAL_NOT_FOUND']) },
  },
};

const account: Schema = {
  get: {
    operationId: 'getAccount',
    summary: 'An account: cash, equity, positions',
    security: API_KEY,
    parameters: [param('accountId', 'path', { type: 'string' }, "Another user's account is 404, like an unknown one")],
    responses: { '200': ok('The account', 'Account'), ...errors([...READ_ERRORS, 'ACCOUNT_NOT_FOUND']) },
  },
};

const orders: Schema = {
  get: {
    operationId: 'listOrders',
    summary: "An account's orders, newest first",
    security: API_KEY,
    parameters: [
      param('accountId', 'path', { type: 'string' }, "Another user's account is 404"),
      param('status', 'query', { type: 'string', enum: [...ORDER_STATUSES] }, 'Only this status'),
      limit,
      cursor,
    ],
    responses: { '200': ok('A page of orders', 'OrderList'), ...errors([...READ_ERRORS, 'ACCOUNT_NOT_FOUND']) },
  },
};

const open = (operationId: string, summary: string, responses: Record<string, Schema>): Schema => ({
  get: { operationId, summary, security: [], responses },
});

const ops: Record<string, Schema> = {
  '/healthz': open('healthz', 'The process answers', { '200': ok('Alive', 'Health') }),
  '/readyz': open('readyz', 'Postgres and Redis answer (and the gateway is not shutting down)', {
    '200': ok('Ready', 'Readiness'),
    '503': { description: 'Not ready', headers: withRequestId, content: json('Readiness') },
  }),
  '/metrics': open('metrics', 'Prometheus metrics', {
    '200': {
      description: 'Prometheus text exposition format',
      headers: withRequestId,
      content: { 'text/plain': { schema: { type: 'string' } } },
    },
  }),
  '/openapi.json': open('openapi', 'This document', {
    '200': {
      description: 'OpenAPI 3.1',
      headers: withRequestId,
      content: { 'application/json': { schema: { type: 'object' } } },
    },
  }),
};

const adminBoard: Schema = {
  get: {
    operationId: 'queueBoard',
    summary: 'Bull Board for the signals and orders queues (HTML; its own JSON API lives under /admin/queues/api)',
    description:
      'Off (404) unless ADMIN_TOKEN is set on the gateway. Browsers: HTTP Basic, any user name, the token as password.',
    security: [{ AdminBearer: [] }, { AdminBasic: [] }],
    responses: {
      '200': { description: 'The board', content: { 'text/html': { schema: { type: 'string' } } } },
      ...errors(['INVALID_ADMIN_TOKEN', 'NOT_FOUND']),
    },
  },
};

/**
 * ── Web console routes ──────────────────────────────────────────────────────────────────
 * The console (another worktree) adds GET /api/v1/accounts, GET /api/v1/signals/stream (SSE)
 * and POST /api/v1/accounts/{accountId}/halt | reduce-only | resume. Describe them here when
 * they are merged, with `errors([...])` for their codes; test/openapi.test.ts fails while an
 * app route is missing from the document.
 */
export const anyJson = (description: string): Schema => ({
  description,
  headers: withRequestId,
  content: { 'application/json': { schema: { type: 'object' } } },
});
const accountParam = param(
  'accountId',
  'path',
  { type: 'string' },
  "Another user's account is 404, like an unknown one",
);
const tradingState = (name: string, summary: string): Schema => ({
  post: {
    operationId: name,
    summary,
    security: API_KEY,
    parameters: [accountParam],
    responses: {
      '200': anyJson('The account, in its new trading state'),
      ...errors([...READ_ERRORS, 'ACCOUNT_NOT_FOUND', 'MODE_MISMATCH']),
    },
  },
});
const html = (operationId: string, summary: string, parameters: Schema[]): Schema => ({
  get: {
    operationId,
    summary,
    security: [],
    parameters,
    responses: {
      '200': { description: 'The web console (HTML)', content: { 'text/html': { schema: { type: 'string' } } } },
    },
  },
});

const consolePaths: Record<string, Schema> = {
  '/api/v1/accounts': {
    get: {
      operationId: 'listAccounts',
      summary: "The key's user's accounts: cash, equity, trading state",
      security: API_KEY,
      responses: { '200': anyJson('{accounts: [...]}'), ...errors(READ_ERRORS) },
    },
  },
  '/api/v1/accounts/{accountId}/halt': tradingState('haltAccount', 'Halt: no signal is acted on until resumed'),
  '/api/v1/accounts/{accountId}/reduce-only': tradingState(
    'reduceOnlyAccount',
    'Reduce only: only closes are acted on',
  ),
  '/api/v1/accounts/{accountId}/resume': tradingState('resumeAccount', 'Resume normal trading'),
  '/api/v1/signals/stream': {
    get: {
      operationId: 'streamSignals',
      summary:
        "Server-sent events: the user's signals as their events happen; resumable with Last-Event-ID (or ?lastEventId=)",
      security: API_KEY,
      parameters: [
        {
          name: 'Last-Event-ID',
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: 'Resume after this event id',
        },
      ],
      responses: {
        '200': {
          description: 'text/event-stream; heartbeat comments',
          content: { 'text/event-stream': { schema: { type: 'string' } } },
        },
        ...errors(READ_ERRORS),
      },
    },
  },
  '/': {
    get: {
      operationId: 'root',
      summary: 'Redirects to the web console at /app/',
      security: [],
      responses: { '302': { description: 'To /app/' } },
    },
  },
  '/app': {
    get: {
      operationId: 'webConsoleBase',
      summary: 'Redirects to /app/',
      security: [],
      responses: { '302': { description: 'To /app/' } },
    },
  },
  '/app/{path}': html('webConsole', 'The web console: its assets, and index.html for every client route under /app/', [
    { name: 'path', in: 'path', required: true, schema: { type: 'string' }, description: 'An asset or a client route' },
  ]),
};

export function paths(): Record<string, Schema> {
  return {
    '/api/v1/signals/ingest': ingest,
    '/api/v1/signals': signals,
    '/api/v1/signals/{signalId}': signal,
    '/api/v1/accounts/{accountId}': account,
    '/api/v1/accounts/{accountId}/orders': orders,
    ...consolePaths,
    ...ops,
    '/admin/queues': adminBoard,
    ...webhookPaths(),
  };
}
