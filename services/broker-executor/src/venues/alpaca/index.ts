import type { ExecutorConfig } from '@utm/config';

export { AlpacaBroker, ALPACA_CAPABILITIES, type AlpacaBrokerOptions } from './alpaca-broker';
export { AlpacaClient, DEFAULT_RETRY, type AlpacaClientOptions, type RetryPolicy } from './client';
export { AlpacaUpdates, type AlpacaUpdatesOptions, type UpdatesState } from './stream';
export { fromAlpacaOrder, mapStatus, toAlpacaOrder } from './mapping';
export { RequestBudget, type RequestBudgetOptions, type RequestPriority } from './request-budget';
export { classifyRefusal } from './refusals';

export interface AlpacaEndpoints {
  baseUrl: string;
  streamUrl: string;
}

type UrlConfig = Pick<
  ExecutorConfig,
  'alpacaPaperUrl' | 'alpacaLiveUrl' | 'alpacaPaperStreamUrl' | 'alpacaLiveStreamUrl'
>;

/**
 * An alpaca account trades at Alpaca's paper or live endpoint according to its mode
 * (docs/contract.md, "Ops CLI"). Anything but LIVE gets paper, so that a mode typo can never reach real money.
 */
export function alpacaEndpoints(cfg: UrlConfig, mode: 'PAPER' | 'LIVE'): AlpacaEndpoints {
  return mode === 'LIVE'
    ? { baseUrl: cfg.alpacaLiveUrl, streamUrl: cfg.alpacaLiveStreamUrl }
    : { baseUrl: cfg.alpacaPaperUrl, streamUrl: cfg.alpacaPaperStreamUrl };
}
