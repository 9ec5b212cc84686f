import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../../src';

/**
 * One row of every model with every scalar field set to a value that is not its default,
 * chosen to catch a wrong column type: 20 integer and 10 fractional digits for NUMERIC(30,10),
 * a BigInt beyond 2^53, the largest INTEGER, millisecond timestamps, bytes 0x00 and 0xff,
 * non-ASCII text, nested JSON.
 */
export const NUMERIC_MAX_SHAPE = '12345678901234567890.0123456789';
export const NUMERIC_NEGATIVE = '-98765432109876543210.9876543219';

let serial = 0n;
let day = 0;

/** Distinct BigInt values above Number.MAX_SAFE_INTEGER. */
export const bigSerial = (): bigint => 9_007_199_254_740_993n + serial++;
/** Distinct instants with milliseconds, far from now() so a default would show. */
export const instant = (): Date => new Date(Date.UTC(2031, 4, 6, 7, 8, 9, 123) + 86_400_001 * day++);

export type Inputs = Awaited<ReturnType<typeof createSampleRows>>;

export async function createSampleRows(prisma: PrismaClient) {
  const tag = randomUUID().slice(0, 8).toUpperCase();
  const user = { id: randomUUID(), name: `agreement Ünïcødé ✓ ${tag}`, createdAt: instant() };
  const apiKey = {
    id: randomUUID(),
    userId: user.id,
    keyHash: `hash-${randomUUID()}`,
    prefix: 'utm_live_abcd',
    mode: 'LIVE' as const,
    rateLimit: 2_147_483_647,
    revokedAt: instant(),
    createdAt: instant(),
  };
  const account = {
    id: randomUUID(),
    userId: user.id,
    name: 'agreement account',
    mode: 'LIVE' as const,
    broker: 'alpaca' as const,
    cash: NUMERIC_MAX_SHAPE,
    tradingState: 'REDUCE_ONLY' as const,
    allowFractional: true,
    brokerCredentials: new Uint8Array([0, 1, 127, 128, 254, 255]),
    exchange: 'binance',
    createdAt: instant(),
    updatedAt: instant(),
  };
  const riskSettings = {
    accountId: account.id,
    maxDailyLoss: NUMERIC_MAX_SHAPE,
    autoResume: true,
    maxTradesPerDay: 2_147_483_647,
    maxOpenPositions: 1,
    tradingWindows: [{ days: ['MON', 'FRI'], start: '09:30', end: '15:55' }],
    timezone: 'America/New_York',
    flattenAt: '15:55',
    maxSignalAgeSeconds: 86_400,
    maxOrderNotional: '99999999999999999999.9999999999',
    maxPositionQuantity: '0.0000000001',
    allowedSymbols: ['AAPL', 'BRK.B', 'BTC/USD'],
    updatedAt: instant(),
  };
  const position = {
    accountId: account.id,
    symbol: `P${tag}`,
    quantity: NUMERIC_NEGATIVE,
    avgPrice: '150.2500000001',
    updatedAt: instant(),
  };
  const quote = { symbol: `Q${tag}`, price: NUMERIC_MAX_SHAPE, updatedAt: instant() };
  const signal = {
    id: randomUUID(),
    seq: bigSerial(),
    userId: user.id,
    accountId: account.id,
    status: 'SUBMITTED' as const,
    symbol: 'BTC/USD',
    action: 'setPosition' as const,
    appliedAction: 'reverseToShort' as const,
    request: {
      symbol: 'BTC/USD',
      action: 'reverseToShort',
      quantity: 1.5,
      exitRules: { stopLoss: { type: 'PERCENT', value: 2 } },
      comment: 'é ✓',
      tags: [1, 'two', null, true],
    },
    idempotencyKey: `idem-${tag}`,
    requestHash: 'f'.repeat(64),
    errorCode: 'BROKER_ERROR',
    errorMessage: 'broker said no',
    receivedAt: instant(),
    updatedAt: instant(),
  };
  const entry = {
    id: randomUUID(),
    seq: bigSerial(),
    signalId: signal.id,
    accountId: account.id,
    role: 'ENTRY' as const,
    symbol: 'BTC/USD',
    side: 'SELL' as const,
    type: 'MARKET' as const,
    quantity: '1.5',
    timeInForce: 'DAY' as const,
  };
  const order = {
    id: randomUUID(),
    seq: bigSerial(),
    signalId: signal.id,
    accountId: account.id,
    parentOrderId: entry.id,
    ocoGroup: randomUUID(),
    role: 'TAKE_PROFIT' as const,
    symbol: 'BTC/USD',
    side: 'BUY' as const,
    type: 'STOP_LIMIT' as const,
    quantity: NUMERIC_MAX_SHAPE,
    limitPrice: '10000000000000000000.0000000001',
    stopPrice: '0.1234567891',
    trailPercent: '2.5000000001',
    trailAmount: '3.0000000009',
    timeInForce: 'GTC' as const,
    status: 'PARTIALLY_FILLED' as const,
    filledQuantity: '0.7500000001',
    avgFillPrice: '64999.9999999999',
    exitRules: { stopLoss: { type: 'PRICE', value: 60000.5 }, trailingStop: { type: 'AMOUNT', value: 100 } },
    brokerOrderId: `broker-${tag}`,
    carriedBy: entry.id,
    replaces: entry.id,
    replaceMethod: 'CANCEL_FIRST' as const,
    errorCode: 'BROKER_UNAVAILABLE',
    errorMessage: 'timeout ✓',
    priceBasis: '64000.0000000001',
    cancelRequestedAt: instant(),
    cancelSentAt: instant(),
    trailReference: '65000.1234567891',
    expiresAt: instant(),
    triggeredAt: instant(),
    createdAt: instant(),
    updatedAt: instant(),
  };
  const event = {
    id: bigSerial(),
    signalId: signal.id,
    orderId: order.id,
    at: instant(),
    type: 'ORDER_FILLED',
    message: 'filled 0.75 @ 64999.99 ✓',
  };
  const fill = {
    id: randomUUID(),
    orderId: order.id,
    quantity: '0.7500000001',
    price: NUMERIC_MAX_SHAPE,
    at: instant(),
    brokerFillId: `fill-${tag}`,
  };

  const instrumentRule = {
    venue: `ccxt:binance-${tag}`,
    symbol: 'BTC/USDT',
    assetClass: 'spot',
    tradable: false,
    shortable: true,
    fractionable: true,
    quantityStep: '0.0000000001',
    minQuantity: '0.00001',
    tickSize: '0.01',
    minNotional: NUMERIC_MAX_SHAPE,
    fetchedAt: instant(),
  };

  const rows = {
    user: await prisma.user.create({ data: user }),
    apiKey: await prisma.apiKey.create({ data: apiKey }),
    account: await prisma.account.create({ data: account }),
    riskSettings: await prisma.accountRiskSettings.create({ data: riskSettings }),
    position: await prisma.position.create({ data: position }),
    quote: await prisma.quote.create({ data: quote }),
    signal: await prisma.signal.create({ data: signal }),
    entry: await prisma.order.create({ data: entry }),
    order: await prisma.order.create({ data: order }),
    event: await prisma.signalEvent.create({ data: event }),
    fill: await prisma.fill.create({ data: fill }),
    instrumentRule: await prisma.instrumentRule.create({ data: instrumentRule }),
  };
  return {
    inputs: { user, apiKey, account, riskSettings, position, quote, signal, order, event, fill, instrumentRule },
    rows,
  };
}
