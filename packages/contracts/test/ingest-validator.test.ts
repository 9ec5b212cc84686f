import { createIngestValidator, withDefaults, type IngestRequest } from '../src';

const validate = createIngestValidator();
const base = { symbol: 'AAPL', action: 'openLong', accountId: 'acc-1', quantity: 10 };

function details(body: unknown) {
  const r = validate(body);
  if (r.ok) throw new Error(`expected invalid: ${JSON.stringify(body)}`);
  return r.details;
}

describe('valid requests', () => {
  it.each<[string, Record<string, unknown>]>([
    ['minimal open', base],
    ['dotted symbol', { ...base, symbol: 'BRK.B' }],
    ['crypto pair', { ...base, symbol: 'BTC/USD' }],
    ['dash and digits', { ...base, symbol: 'ES-2412' }],
    ['15-char symbol', { ...base, symbol: 'ABCDEFGHIJKLMNO' }],
    ['close without quantity', { symbol: 'AAPL', action: 'closeLong', accountId: 'a' }],
    [
      'closeShort with PERCENT_POSITION',
      { symbol: 'AAPL', action: 'closeShort', accountId: 'a', quantity: 50, quantityType: 'PERCENT_POSITION' },
    ],
    ['reverse without quantity', { symbol: 'AAPL', action: 'reverseToShort', accountId: 'a' }],
    ['limit', { ...base, orderType: 'LIMIT', limitPrice: 150.25 }],
    ['stop', { ...base, orderType: 'STOP', stopPrice: 140 }],
    ['stop limit', { ...base, orderType: 'STOP_LIMIT', stopPrice: 140, limitPrice: 139.5 }],
    ['explicit market', { ...base, orderType: 'MARKET' }],
    ['every tif', { ...base, timeInForce: 'FOK' }],
    ['percent equity 100', { ...base, quantityType: 'PERCENT_EQUITY', quantity: 100 }],
    ['dollar amount above 100', { ...base, quantityType: 'DOLLAR_AMOUNT', quantity: 5000 }],
    [
      'all exit rules',
      {
        ...base,
        exitRules: {
          stopLoss: { type: 'PERCENT', value: 2 },
          takeProfit: { type: 'PRICE', value: 200 },
          trailingStop: { type: 'AMOUNT', value: 1.5 },
        },
      },
    ],
    [
      'exit rules on reverse',
      {
        symbol: 'AAPL',
        action: 'reverseToLong',
        accountId: 'a',
        exitRules: { stopLoss: { type: 'AMOUNT', value: 3 } },
      },
    ],
    [
      'all optional strings',
      {
        ...base,
        strategyId: 's'.repeat(64),
        comment: 'c'.repeat(500),
        idempotencyKey: 'k'.repeat(128),
        mode: 'LIVE',
        price: 1.5,
      },
    ],
    ['empty comment', { ...base, comment: '' }],
  ])('%s', (_name, body) => {
    const r = validate(body);
    expect(r).toEqual({ ok: true, value: body });
  });
});

describe('invalid requests: each rule reports its field', () => {
  it.each<[string, unknown, { field: string; message: RegExp }[]]>([
    ['not an object', [1, 2], [{ field: 'body', message: /JSON object/ }]],
    ['null body', null, [{ field: 'body', message: /JSON object/ }]],
    [
      'empty object',
      {},
      [
        { field: 'symbol', message: /required/ },
        { field: 'action', message: /required/ },
        { field: 'accountId', message: /required/ },
      ],
    ],
    ['lowercase symbol', { ...base, symbol: 'aapl' }, [{ field: 'symbol', message: /^Symbol must be uppercase$/ }]],
    ['symbol starting with digit', { ...base, symbol: '1AAPL' }, [{ field: 'symbol', message: /1-15 characters/ }]],
    ['symbol too long', { ...base, symbol: 'ABCDEFGHIJKLMNOP' }, [{ field: 'symbol', message: /1-15 characters/ }]],
    ['symbol with space', { ...base, symbol: 'AA PL' }, [{ field: 'symbol', message: /1-15 characters/ }]],
    ['empty symbol', { ...base, symbol: '' }, [{ field: 'symbol', message: /empty/ }]],
    ['unknown action', { ...base, action: 'BUY' }, [{ field: 'action', message: /one of: openLong.*setPosition/ }]],
    [
      'open without quantity',
      { ...base, quantity: undefined },
      [{ field: 'quantity', message: /required for openLong/ }],
    ],
    [
      'openShort without quantity',
      { symbol: 'X', action: 'openShort', accountId: 'a' },
      [{ field: 'quantity', message: /required/ }],
    ],
    ['zero quantity', { ...base, quantity: 0 }, [{ field: 'quantity', message: /greater than 0/ }]],
    ['negative quantity', { ...base, quantity: -1 }, [{ field: 'quantity', message: /greater than 0/ }]],
    ['non-decimal string quantity', { ...base, quantity: 'ten' }, [{ field: 'quantity', message: /decimal string/ }]],
    ['null quantity', { ...base, quantity: null }, [{ field: 'quantity', message: /number or a decimal string/ }]],
    ['absurd quantity', { ...base, quantity: 1e300 }, [{ field: 'quantity', message: /at most/ }]],
    [
      'percent equity over 100',
      { ...base, quantityType: 'PERCENT_EQUITY', quantity: 100.01 },
      [{ field: 'quantity', message: /at most 100/ }],
    ],
    [
      'percent position over 100',
      { ...base, quantityType: 'PERCENT_POSITION', quantity: 150 },
      [{ field: 'quantity', message: /at most 100/ }],
    ],
    ['unknown quantity type', { ...base, quantityType: 'SHARES' }, [{ field: 'quantityType', message: /one of/ }]],
    [
      'limit without price',
      { ...base, orderType: 'LIMIT' },
      [{ field: 'limitPrice', message: /required for orderType LIMIT/ }],
    ],
    [
      'stop without price',
      { ...base, orderType: 'STOP' },
      [{ field: 'stopPrice', message: /required for orderType STOP/ }],
    ],
    [
      'stop limit without prices',
      { ...base, orderType: 'STOP_LIMIT' },
      [
        { field: 'limitPrice', message: /required/ },
        { field: 'stopPrice', message: /required/ },
      ],
    ],
    [
      'market with limit price',
      { ...base, limitPrice: 10 },
      [{ field: 'limitPrice', message: /only allowed with orderType LIMIT/ }],
    ],
    [
      'market with stop price',
      { ...base, orderType: 'MARKET', stopPrice: 10 },
      [{ field: 'stopPrice', message: /only allowed/ }],
    ],
    [
      'limit with stop price',
      { ...base, orderType: 'LIMIT', limitPrice: 10, stopPrice: 9 },
      [{ field: 'stopPrice', message: /only allowed/ }],
    ],
    [
      'stop with limit price',
      { ...base, orderType: 'STOP', stopPrice: 10, limitPrice: 9 },
      [{ field: 'limitPrice', message: /only allowed/ }],
    ],
    [
      'zero limit price',
      { ...base, orderType: 'LIMIT', limitPrice: 0 },
      [{ field: 'limitPrice', message: /greater than 0/ }],
    ],
    ['unknown order type', { ...base, orderType: 'OCO' }, [{ field: 'orderType', message: /one of/ }]],
    ['unknown tif', { ...base, timeInForce: 'GTD' }, [{ field: 'timeInForce', message: /one of: DAY, GTC, IOC, FOK/ }]],
    [
      'typo in exit rule name',
      { ...base, exitRules: { stoploss: { type: 'PERCENT', value: 1 } } },
      [{ field: 'exitRules.stoploss', message: /not a known field/ }],
    ],
    [
      'exit rule bad value',
      { ...base, exitRules: { stopLoss: { type: 'PERCENT', value: 0 } } },
      [{ field: 'exitRules.stopLoss.value', message: /greater than 0/ }],
    ],
    [
      'exit rule bad type',
      { ...base, exitRules: { takeProfit: { type: 'TICKS', value: 1 } } },
      [{ field: 'exitRules.takeProfit.type', message: /one of/ }],
    ],
    [
      'trailing stop by price',
      { ...base, exitRules: { trailingStop: { type: 'PRICE', value: 1 } } },
      [{ field: 'exitRules.trailingStop.type', message: /one of: PERCENT, AMOUNT/ }],
    ],
    [
      'exit rule missing value',
      { ...base, exitRules: { stopLoss: { type: 'PERCENT' } } },
      [{ field: 'exitRules.stopLoss.value', message: /required/ }],
    ],
    ['empty exit rules', { ...base, exitRules: {} }, [{ field: 'exitRules', message: /at least one/ }]],
    [
      'exit rules on close',
      { symbol: 'A', action: 'closeLong', accountId: 'a', exitRules: { stopLoss: { type: 'PERCENT', value: 1 } } },
      [{ field: 'exitRules', message: /only allowed with openLong/ }],
    ],
    ['accountId too long', { ...base, accountId: 'a'.repeat(65) }, [{ field: 'accountId', message: /at most 64/ }]],
    ['empty accountId', { ...base, accountId: '' }, [{ field: 'accountId', message: /empty/ }]],
    ['strategyId too long', { ...base, strategyId: 's'.repeat(65) }, [{ field: 'strategyId', message: /at most 64/ }]],
    ['comment too long', { ...base, comment: 'c'.repeat(501) }, [{ field: 'comment', message: /at most 500/ }]],
    [
      'idempotencyKey too long',
      { ...base, idempotencyKey: 'k'.repeat(129) },
      [{ field: 'idempotencyKey', message: /at most 128/ }],
    ],
    ['unknown mode', { ...base, mode: 'SIM' }, [{ field: 'mode', message: /one of: PAPER, LIVE/ }]],
    ['zero price', { ...base, price: 0 }, [{ field: 'price', message: /greater than 0/ }]],
    ['unknown top-level field', { ...base, stoploss: 2 }, [{ field: 'stoploss', message: /not a known field/ }]],
  ])('%s', (_name, body, expected) => {
    const got = details(body);
    for (const e of expected) {
      expect(got).toContainEqual({ field: e.field, message: expect.stringMatching(e.message) });
    }
  });

  it('reports every violation at once', () => {
    const got = details({
      symbol: 'aapl',
      action: 'SELL',
      quantity: -1,
      exitRules: { stopLoss: { type: 'X', value: 0 } },
      extra: true,
    });
    expect(got.map((d) => d.field).sort()).toEqual(
      [
        'accountId',
        'action',
        'exitRules.stopLoss.type',
        'exitRules.stopLoss.value',
        'extra',
        'quantity',
        'symbol',
      ].sort(),
    );
  });

  it('says only "Symbol must be uppercase" for a symbol that is valid but lowercase', () => {
    expect(details({ ...base, symbol: 'brk.b' })).toEqual([{ field: 'symbol', message: 'Symbol must be uppercase' }]);
  });
});

describe('defaults', () => {
  it('fills quantityType, orderType and timeInForce without touching the rest', () => {
    const req: IngestRequest = { symbol: 'AAPL', action: 'openLong', accountId: 'a', quantity: 1 };
    expect(withDefaults(req)).toEqual({ ...req, quantityType: 'FIXED', orderType: 'MARKET', timeInForce: 'DAY' });
    expect(withDefaults({ ...req, orderType: 'LIMIT', limitPrice: 1 }).orderType).toBe('LIMIT');
  });
});
