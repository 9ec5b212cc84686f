import { randomUUID } from 'node:crypto';
import { startBinanceServer, type BinanceSpotServer } from '@utm/testkit';
import { Decimal } from '@utm/db';
import { ccxtConnection, type CcxtConnection } from '../../src/venues/ccxt';
import type { BrokerOrderRequest } from '../../src/venues/broker/types';

/**
 * An account's ccxt venue against the Binance stand-in, as main's brokerFor makes it (the real
 * ccxt client, its REST URLs replaced), with `symbols` standing in for our orders table.
 */
export function ccxtFor(
  server: BinanceSpotServer,
  symbols: Map<string, string> = new Map(),
  opts: { timeoutMs?: number; pollIntervalMs?: number; secret?: string } = {},
): CcxtConnection {
  return ccxtConnection(
    { exchange: 'binance', mode: 'PAPER' },
    { apiKey: server.apiKey, secret: opts.secret ?? server.secret },
    {
      timeoutMs: opts.timeoutMs ?? 700,
      pollIntervalMs: opts.pollIntervalMs ?? 100,
      symbolOf: async (id) => symbols.get(id) ?? null,
      urls: server.ccxtUrls(),
      enableRateLimit: false,
    },
  );
}

export function orderRequest(over: Partial<BrokerOrderRequest> = {}): BrokerOrderRequest {
  return {
    clientOrderId: randomUUID(),
    symbol: 'BTC/USDT',
    side: 'BUY',
    type: 'MARKET',
    quantity: new Decimal('0.01'),
    limitPrice: null,
    stopPrice: null,
    trailPercent: null,
    trailAmount: null,
    timeInForce: 'DAY',
    ...over,
  };
}

export async function rejection(
  p: Promise<unknown>,
): Promise<Error & { code?: string; opts?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string; opts?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}

/** For an e2e file: a fresh Binance stand-in (handed to `use`) and `s` started before, both stopped after. */
export function aroundBinanceStack(
  s: { start(): Promise<unknown>; stop(): Promise<void> },
  use: (server: BinanceSpotServer) => void,
  balances: Record<string, string> = { USDT: '100000' },
): void {
  let server: BinanceSpotServer | undefined;
  beforeAll(async () => {
    server = await startBinanceServer({ balances });
    use(server);
    await s.start();
  });
  afterAll(async () => {
    await s.stop();
    await server?.close();
  });
}
