export { testDatabaseUrl, testRedisUrl, uniquePrefix } from './env';
export { createFixture, createApiKey, type Fixture, type FixtureOptions } from './fixtures';
export { isolatedDatabase, type IsolatedDatabase } from './databases';
export { postSignal } from './http';
export { freePort, startRedisProcess, type RedisProcess } from './processes';
export { parseMetrics, scrapeMetrics, type Sample, type Scrape } from './metrics';
