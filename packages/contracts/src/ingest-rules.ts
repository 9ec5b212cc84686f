/**
 * The ingest body's cross-field rules, as if/then/else so that each violation is reported on
 * the field it concerns. `false` schemas reject a field the rest of the body does not allow.
 * Each rule carries the words for its `required` and `false` errors (ingest-validator.ts
 * finds them by the rule's index in the schema's allOf).
 */
export interface IngestRule {
  schema: Record<string, unknown>;
  /** Per field: why it is required when this rule requires it. */
  required?: Record<string, string>;
  /** Per field: why it is refused when this rule forbids it. */
  forbidden?: Record<string, string>;
}

const OPEN = ['openLong', 'openShort'];
const CLOSE = ['closeLong', 'closeShort'];
const TRADINGVIEW = ['buy', 'sell', 'setPosition'];
const DECIMAL = { 'x-decimal': true };

const actionIn = (actions: string[]) => ({ required: ['action'], properties: { action: { enum: actions } } });
/** buy, sell or setPosition with a sentiment in `sentiments` (only these may leave quantity out). */
const tradingViewWith = (sentiments: string[]) => ({
  required: ['action', 'sentiment'],
  properties: { action: { enum: TRADINGVIEW }, sentiment: { enum: sentiments } },
});

/** Where buy/sell/setPosition cannot open a position: a close in other words. */
const closingOnly = {
  required: ['action', 'sentiment'],
  anyOf: [
    { properties: { action: { const: 'buy' }, sentiment: { enum: ['flat', 'short'] } } },
    { properties: { action: { const: 'sell' }, sentiment: { enum: ['flat', 'long'] } } },
    { properties: { action: { const: 'setPosition' }, sentiment: { const: 'flat' } } },
  ],
};

export const INGEST_RULES: IngestRule[] = [
  // quantity is required for openLong/openShort.
  {
    schema: { if: actionIn(OPEN), then: { required: ['quantity'] } },
    required: { quantity: 'is required for openLong and openShort' },
  },
  // buy, sell and setPosition need the sentiment; other actions must not carry one.
  {
    schema: {
      if: actionIn(TRADINGVIEW),
      then: { required: ['sentiment'] },
      else: { properties: { sentiment: false } },
    },
    required: { sentiment: 'is required for buy, sell and setPosition: long, short or flat' },
    forbidden: { sentiment: 'is only allowed with buy, sell and setPosition' },
  },
  // ...and a quantity unless the sentiment is flat (the order's size, or the target's).
  {
    schema: { if: tradingViewWith(['long', 'short']), then: { required: ['quantity'] } },
    required: { quantity: 'is required for buy, sell and setPosition unless sentiment is flat' },
  },
  // quantity > 0; on a move to flat it is ignored, so TradingView's 0 ({{strategy.market_position_size}}) passes.
  {
    schema: {
      if: tradingViewWith(['flat']),
      then: { properties: { quantity: { minimum: 0, ...DECIMAL } } },
      else: { properties: { quantity: { exclusiveMinimum: 0, ...DECIMAL } } },
    },
  },
  // exitRules only where the signal may open a position.
  {
    schema: { if: actionIn(CLOSE), then: { properties: { exitRules: false } } },
    forbidden: { exitRules: 'is only allowed with openLong, openShort, reverseToLong and reverseToShort' },
  },
  {
    schema: { if: closingOnly, then: { properties: { exitRules: false } } },
    forbidden: {
      exitRules:
        'is only allowed when the signal may open a position: buy with sentiment long, sell with sentiment short, setPosition long or short',
    },
  },
  // setPosition's quantity is a target position: units, a percent of equity or an amount of money.
  {
    schema: {
      if: actionIn(['setPosition']),
      then: { properties: { quantityType: { enum: ['FIXED', 'PERCENT_EQUITY', 'DOLLAR_AMOUNT'] } } },
    },
  },
  // Percentages: 0 < v <= 100.
  {
    schema: {
      if: {
        required: ['quantityType'],
        properties: { quantityType: { enum: ['PERCENT_EQUITY', 'PERCENT_POSITION'] } },
      },
      then: { properties: { quantity: { maximum: 100, ...DECIMAL } } },
    },
  },
  // LIMIT and STOP_LIMIT need limitPrice; the other types must not carry one.
  {
    schema: {
      if: { required: ['orderType'], properties: { orderType: { enum: ['LIMIT', 'STOP_LIMIT'] } } },
      then: { required: ['limitPrice'] },
      else: { properties: { limitPrice: false } },
    },
    required: { limitPrice: 'is required for orderType LIMIT and STOP_LIMIT' },
    forbidden: { limitPrice: 'is only allowed with orderType LIMIT or STOP_LIMIT' },
  },
  // STOP and STOP_LIMIT need stopPrice; the other types must not carry one.
  {
    schema: {
      if: { required: ['orderType'], properties: { orderType: { enum: ['STOP', 'STOP_LIMIT'] } } },
      then: { required: ['stopPrice'] },
      else: { properties: { stopPrice: false } },
    },
    required: { stopPrice: 'is required for orderType STOP and STOP_LIMIT' },
    forbidden: { stopPrice: 'is only allowed with orderType STOP or STOP_LIMIT' },
  },
];
