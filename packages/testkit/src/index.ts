export { testDatabaseUrl, testRedisUrl, uniqueClusterPrefix, uniquePrefix, uniqueSymbol } from './env';
export { createFixture, createApiKey, type Fixture, type FixtureOptions } from './fixtures';
export { isolatedDatabase, type IsolatedDatabase } from './databases';
export { postSignal } from './http';
export {
  assertBuilt,
  describeProcesses,
  freePort,
  freePortBlock,
  REPO_ROOT,
  serviceMain,
  startService,
  waitUntilReady,
  withProcessOutput,
  type ProcessExit,
  type ServiceName,
  type ServiceProcess,
} from './processes';
export {
  AlpacaTestServer,
  startAlpacaServer,
  type AlpacaServerOptions,
  type Fault,
  type RecordedRequest,
  type TradeUpdate,
} from './alpaca/server';
export type { ServerOrder } from './alpaca/orders';
export type { ServerAsset } from './alpaca/assets';
export { ALPACA_RATE_LIMIT, type RateLimit } from './alpaca/rate-limit';
export { startRedisProcess, type RedisProcess, type RedisProcessOptions } from './redis-process';
export { startRedisCluster, type RedisClusterOptions, type RedisClusterProcess } from './redis-cluster';
export { parseMetrics, scrapeMetrics, type Sample, type Scrape } from './metrics';
export {
  BinanceSpotServer,
  startBinanceServer,
  type BinanceFault,
  type BinanceRequest,
  type BinanceServerOptions,
} from './binance/server';
export type { SpotOrder, SpotStatus } from './binance/book';
export { DEFAULT_SYMBOLS as BINANCE_SYMBOLS, type SymbolRules as BinanceSymbolRules } from './binance/rules';
