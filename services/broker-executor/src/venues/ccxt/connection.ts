import type { CcxtCredentials } from '@utm/security';
import type { Broker, BrokerOrderUpdate } from '../broker/types';
import { CcxtBroker } from './ccxt-broker';
import { createExchange } from './exchange';
import { CcxtPoller } from './poller';

export interface CcxtConnectionOptions {
  timeoutMs: number;
  pollIntervalMs: number;
  /** The symbol of one of our order ids (our orders table). */
  symbolOf: (clientOrderId: string) => Promise<string | null>;
  /** urls.api replacements (tests: the Binance stand-in). */
  urls?: Record<string, string>;
  /** An origin replacing the exchange's in its REST URLs (CCXT_API_ORIGIN: a proxy, a stand-in). */
  origin?: string;
  enableRateLimit?: boolean;
}

export interface CcxtConnection {
  broker: CcxtBroker & Broker;
  updates: {
    start(): Promise<void>;
    stop(): Promise<void>;
    onUpdate(cb: (u: BrokerOrderUpdate) => void): () => void;
    onError(cb: (err: Error) => void): () => void;
  };
}

/**
 * An account's ccxt venue: the exchange client (its test network unless the account is LIVE,
 * so that a mode typo never reaches real money, as for Alpaca), the broker and its poller.
 */
export function ccxtConnection(
  account: { exchange: string | null; mode: 'PAPER' | 'LIVE' },
  credentials: CcxtCredentials,
  opts: CcxtConnectionOptions,
): CcxtConnection {
  if (!account.exchange) throw new Error('the ccxt account names no exchange');
  const exchange = createExchange(
    { exchange: account.exchange, ...credentials, sandbox: account.mode !== 'LIVE' },
    { timeoutMs: opts.timeoutMs, urls: opts.urls, origin: opts.origin, enableRateLimit: opts.enableRateLimit },
  );
  const broker = new CcxtBroker({
    exchange,
    symbolOf: opts.symbolOf,
    secrets: [credentials.apiKey, credentials.secret, credentials.password ?? ''],
  });
  return { broker, updates: new CcxtPoller(broker, { intervalMs: opts.pollIntervalMs }) };
}
