import type { ErrorBody, ErrorDetail } from '@utm/contracts';

/**
 * Examples for POST /api/v1/signals/ingest (docs/contract.md), as the document shows them.
 * test/openapi.test.ts runs every request example through the live validator and the real
 * gateway: the valid ones must be accepted (202), each invalid one must be refused with
 * exactly the error body shown beside it. They are written out, never computed, so that a
 * change of behaviour shows up as a failing example.
 */
export const EXAMPLE_ACCOUNT_ID = '3f1c9a52-7d4e-4b8a-9c61-2e5f0d7a8b94';
export const EXAMPLE_SIGNAL_ID = '9b2d4c1e-5a6f-4e8d-b7c3-0a1f2e3d4c5b';

export interface RequestExample {
  summary: string;
  value: Record<string, unknown>;
}

export interface InvalidRequestExample extends RequestExample {
  /** What the gateway answers: 400 VALIDATION_ERROR with these details, in this order. */
  details: ErrorDetail[];
}

const acc = { accountId: EXAMPLE_ACCOUNT_ID };

export const VALID_REQUESTS: Record<string, RequestExample> = {
  'open-long-market': {
    summary: 'Buy 10 AAPL at market (FIXED quantity, DAY)',
    value: { symbol: 'AAPL', action: 'openLong', ...acc, quantity: 10 },
  },
  'limit-with-exits': {
    summary: 'A LIMIT entry with a stop loss and a take profit, idempotent by key',
    value: {
      symbol: 'AAPL',
      action: 'openLong',
      ...acc,
      quantity: 10,
      orderType: 'LIMIT',
      limitPrice: 150.25,
      exitRules: { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PERCENT', value: 4 } },
      idempotencyKey: 'alert-42',
    },
  },
  'tradingview-percent-equity': {
    summary: "TradingView style: 25% of equity in BTC/USD, sized with the alert's {{close}}",
    value: {
      symbol: 'BTC/USD',
      action: 'openLong',
      ...acc,
      quantity: 25,
      quantityType: 'PERCENT_EQUITY',
      price: 64250.5,
      strategyId: 'tv-breakout',
      comment: 'breakout above the range',
    },
  },
  'close-whole-position': {
    summary: 'Close the whole long position (quantity omitted)',
    value: { symbol: 'BRK.B', action: 'closeLong', ...acc },
  },
  'close-half': {
    summary: 'Close half of the long position',
    value: { symbol: 'AAPL', action: 'closeLong', ...acc, quantity: 50, quantityType: 'PERCENT_POSITION' },
  },
  'reverse-with-trailing-stop': {
    summary: 'Close the long, open a short of the same size, trail it by 1.5%',
    value: {
      symbol: 'AAPL',
      action: 'reverseToShort',
      ...acc,
      exitRules: { trailingStop: { type: 'PERCENT', value: 1.5 } },
    },
  },
  'stop-limit-short': {
    summary: 'Short 5 TSLA with a STOP_LIMIT order, good till cancelled, in PAPER mode',
    value: {
      symbol: 'TSLA',
      action: 'openShort',
      ...acc,
      quantity: 5,
      orderType: 'STOP_LIMIT',
      stopPrice: 240,
      limitPrice: 239.5,
      timeInForce: 'GTC',
      mode: 'PAPER',
    },
  },
  'dollar-amount': {
    summary: 'Buy 1,000 dollars of MSFT',
    value: { symbol: 'MSFT', action: 'openLong', ...acc, quantity: 1000, quantityType: 'DOLLAR_AMOUNT', price: 410.1 },
  },
  'tradingview-indicator-alert': {
    summary:
      'TradingView indicator alert: {{exchange}}:{{ticker}}, quoted {{close}} and {{timenow}} filled in; numbers as decimal strings',
    value: {
      symbol: 'NASDAQ:AAPL',
      action: 'openLong',
      ...acc,
      quantity: '10',
      price: '189.25',
      sentAt: '2025-06-02T14:30:00Z',
      exitRules: { stopLoss: { type: 'PERCENT', value: '2' } },
    },
  },
  'tradingview-strategy-buy': {
    summary:
      'TradingView strategy alert: {{strategy.order.action}} with {{strategy.market_position}} as sentiment and {{strategy.order.contracts}}; applied as openLong, or as a reverse on a short',
    value: {
      symbol: 'BINANCE:BTCUSDT',
      action: 'buy',
      sentiment: 'long',
      ...acc,
      quantity: '0.5',
      price: '64250.5',
      sentAt: '2025-06-02T14:30:00Z',
      strategyId: 'tv-breakout',
      comment: 'Long entry',
    },
  },
  'tradingview-strategy-sell-flat': {
    summary: 'TradingView strategy alert: sell with sentiment flat closes the whole long (quantity ignored)',
    value: {
      symbol: 'BINANCE:BTCUSDT',
      action: 'sell',
      sentiment: 'flat',
      ...acc,
      quantity: '0.5',
      price: '65010',
      sentAt: '2025-06-02T16:05:00Z',
    },
  },
  'tradingview-target-position': {
    summary:
      'Target position: {{strategy.market_position}} and {{strategy.market_position_size}}; the difference from the position held is traded (heals a missed alert)',
    value: {
      symbol: 'NASDAQ:AAPL',
      action: 'setPosition',
      sentiment: 'long',
      ...acc,
      quantity: '15',
      price: '189.25',
      sentAt: '2025-06-02T14:30:00Z',
    },
  },
};

export const INVALID_REQUESTS: Record<string, InvalidRequestExample> = {
  'invalid-lowercase-symbol': {
    summary: 'Invalid: lowercase symbol',
    value: { symbol: 'aapl', action: 'openLong', ...acc, quantity: 10 },
    details: [{ field: 'symbol', message: 'Symbol must be uppercase' }],
  },
  'invalid-unknown-field': {
    summary: 'Invalid: a typo ("stoploss") is an unknown field, never silently dropped',
    value: {
      symbol: 'AAPL',
      action: 'openLong',
      ...acc,
      quantity: 10,
      exitRules: { stoploss: { type: 'PERCENT', value: 2 } },
    },
    details: [{ field: 'exitRules.stoploss', message: 'is not a known field' }],
  },
  'invalid-missing-quantity': {
    summary: 'Invalid: openLong without quantity',
    value: { symbol: 'AAPL', action: 'openLong', ...acc },
    details: [{ field: 'quantity', message: 'is required for openLong and openShort' }],
  },
  'invalid-limit-without-price': {
    summary: 'Invalid: LIMIT without limitPrice',
    value: { symbol: 'AAPL', action: 'openLong', ...acc, quantity: 10, orderType: 'LIMIT' },
    details: [{ field: 'limitPrice', message: 'is required for orderType LIMIT and STOP_LIMIT' }],
  },
  'invalid-price-unused-by-type': {
    summary: 'Invalid: a limitPrice on a MARKET order',
    value: { symbol: 'AAPL', action: 'openLong', ...acc, quantity: 10, limitPrice: 150 },
    details: [{ field: 'limitPrice', message: 'is only allowed with orderType LIMIT or STOP_LIMIT' }],
  },
  'invalid-exit-rules-on-close': {
    summary: 'Invalid: exit rules on a close',
    value: { symbol: 'AAPL', action: 'closeLong', ...acc, exitRules: { stopLoss: { type: 'PERCENT', value: 2 } } },
    details: [
      { field: 'exitRules', message: 'is only allowed with openLong, openShort, reverseToLong and reverseToShort' },
    ],
  },
  'invalid-stop-loss-value': {
    summary: 'Invalid: a stop loss of 0',
    value: {
      symbol: 'AAPL',
      action: 'openLong',
      ...acc,
      quantity: 10,
      exitRules: { stopLoss: { type: 'PERCENT', value: 0 } },
    },
    details: [{ field: 'exitRules.stopLoss.value', message: 'must be greater than 0' }],
  },
  'invalid-percent-over-100': {
    summary: 'Invalid: more than 100% of equity',
    value: { symbol: 'AAPL', action: 'openLong', ...acc, quantity: 150, quantityType: 'PERCENT_EQUITY' },
    details: [{ field: 'quantity', message: 'must be at most 100' }],
  },
  'invalid-buy-without-sentiment': {
    summary: 'Invalid: buy (TradingView) without the position after the order',
    value: { symbol: 'NASDAQ:AAPL', action: 'buy', ...acc, quantity: '10' },
    details: [{ field: 'sentiment', message: 'is required for buy, sell and setPosition: long, short or flat' }],
  },
  'invalid-unknown-sentiment': {
    summary: 'Invalid: a sentiment that is not long, short or flat',
    value: { symbol: 'NASDAQ:AAPL', action: 'sell', sentiment: 'LONG', ...acc, quantity: '10' },
    details: [{ field: 'sentiment', message: 'must be one of: long, short, flat' }],
  },
  'invalid-target-without-quantity': {
    summary: 'Invalid: setPosition long without the target size',
    value: { symbol: 'NASDAQ:AAPL', action: 'setPosition', sentiment: 'long', ...acc },
    details: [{ field: 'quantity', message: 'is required for buy, sell and setPosition unless sentiment is flat' }],
  },
  'invalid-decimal-string': {
    summary: 'Invalid: a number field holding text that is not a plain decimal (an unfilled placeholder, an exponent)',
    value: {
      symbol: 'NASDAQ:AAPL',
      action: 'openLong',
      ...acc,
      quantity: '{{strategy.order.contracts}}',
      price: '1e5',
    },
    details: [
      {
        field: 'quantity',
        message: 'must be a number or a decimal string such as "150.25" (digits and one point: no exponent, no spaces)',
      },
      {
        field: 'price',
        message: 'must be a number or a decimal string such as "150.25" (digits and one point: no exponent, no spaces)',
      },
    ],
  },
  'invalid-sent-at': {
    summary: 'Invalid: sentAt without an offset (ambiguous); one more than 60 s in the future is refused too',
    value: { symbol: 'AAPL', action: 'openLong', ...acc, quantity: 10, sentAt: '2026-12-02 14:30' },
    details: [
      {
        field: 'sentAt',
        message: 'must be an ISO-8601 time with an offset ("2024-05-01T14:30:00Z") or epoch milliseconds',
      },
    ],
  },
  'invalid-everything-at-once': {
    summary: 'Invalid: every violation is reported at once',
    value: { symbol: 'aapl', action: 'BUY', quantity: -1 },
    details: [
      { field: 'quantity', message: 'must be greater than 0' },
      { field: 'accountId', message: 'is required' },
      { field: 'symbol', message: 'Symbol must be uppercase' },
      {
        field: 'action',
        message:
          'must be one of: openLong, openShort, closeLong, closeShort, reverseToLong, reverseToShort, buy, sell, setPosition',
      },
    ],
  },
};

export function validationErrorBody(details: ErrorDetail[]): ErrorBody {
  return { success: false, error: 'VALIDATION_ERROR', message: 'Request body is invalid', details };
}

export interface ErrorExample {
  summary: string;
  value: ErrorBody;
}

/** The ingest refusals, by HTTP status, as the gateway words them. */
export const INGEST_ERROR_EXAMPLES: Record<number, Record<string, ErrorExample>> = {
  400: {
    'malformed-json': {
      summary: 'Malformed JSON (field "body")',
      value: {
        success: false,
        error: 'VALIDATION_ERROR',
        message: 'Malformed JSON body',
        details: [
          {
            field: 'body',
            message: "is not valid JSON: Expected ',' or '}' after property value in JSON at position 17",
          },
        ],
      },
    },
    ...Object.fromEntries(
      Object.entries(INVALID_REQUESTS).map(([name, e]) => [
        name,
        { summary: e.summary, value: validationErrorBody(e.details) },
      ]),
    ),
  },
  401: {
    'missing-key': {
      summary: 'No API key',
      value: {
        success: false,
        error: 'INVALID_API_KEY',
        message: 'API key missing: send the X-API-Key header or the apiKey query parameter',
      },
    },
    'unknown-key': {
      summary: 'Unknown or revoked API key',
      value: { success: false, error: 'INVALID_API_KEY', message: 'API key is unknown or revoked' },
    },
  },
  404: {
    'account-not-found': {
      summary: "No such account, or another user's (indistinguishable)",
      value: { success: false, error: 'ACCOUNT_NOT_FOUND', message: `Account ${EXAMPLE_ACCOUNT_ID} not found` },
    },
  },
  409: {
    'idempotency-conflict': {
      summary: 'Same idempotency key, different body',
      value: {
        success: false,
        error: 'IDEMPOTENCY_CONFLICT',
        message: `Idempotency key already used with a different body (signal ${EXAMPLE_SIGNAL_ID})`,
      },
    },
  },
  413: {
    'payload-too-large': {
      summary: 'Body over 16 KiB',
      value: { success: false, error: 'PAYLOAD_TOO_LARGE', message: 'Request body exceeds 16 KiB' },
    },
  },
  415: {
    'unsupported-media-type': {
      summary: 'Neither JSON nor text/plain',
      value: {
        success: false,
        error: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Content-Type must be application/json or text/plain holding JSON',
      },
    },
  },
  422: {
    'mode-mismatch': {
      summary: "The key's mode differs from the account's",
      value: {
        success: false,
        error: 'MODE_MISMATCH',
        message: "API key mode PAPER differs from the account's mode LIVE",
      },
    },
  },
  429: {
    'rate-limited': {
      summary: "Over the key's limit per rolling minute (Retry-After set)",
      value: {
        success: false,
        error: 'RATE_LIMIT_EXCEEDED',
        message: 'Rate limit of 100 requests per minute exceeded; retry in 12 s',
      },
    },
  },
  500: {
    internal: {
      summary: 'An unexpected failure (nothing internal is shown)',
      value: { success: false, error: 'INTERNAL_ERROR', message: 'Internal error' },
    },
  },
  503: {
    'dependency-down': {
      summary: 'Postgres unreachable: nothing was accepted',
      value: {
        success: false,
        error: 'SERVICE_UNAVAILABLE',
        message: 'A dependency is unavailable; the request was not accepted. Retry later.',
      },
    },
  },
};
