export { testDatabaseUrl, testRedisUrl, uniquePrefix, uniqueSymbol } from './env';
export { createFixture, createApiKey, type Fixture, type FixtureOptions } from './fixtures';
export { isolatedDatabase, type IsolatedDatabase } from './databases';
export { postSignal } from './http';
export { assertBuilt, describeProcesses, freePort, REPO_ROOT, serviceMain, startService, waitUntilReady, withProcessOutput, type ProcessExit, type ServiceName, type ServiceProcess } from './processes';
export { AlpacaTestServer, startAlpacaServer, type AlpacaServerOptions, type Fault, type RecordedRequest, type TradeUpdate } from './alpaca/server';
export type { ServerOrder } from './alpaca/orders';
export { startRedisProcess, type RedisProcess } from './redis-process';
export { parseMetrics, scrapeMetrics, type Sample, type Scrape } from './metrics';
