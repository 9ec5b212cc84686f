import { ConfigError, loadCliConfig, loadExecutorConfig, loadGatewayConfig, loadProcessorConfig } from '../src';

const base = { DATABASE_URL: 'postgresql://u:pw@localhost:5432/db', REDIS_URL: 'redis://localhost:6379' };

describe('gateway config', () => {
  it('applies defaults', () => {
    const cfg = loadGatewayConfig(base);
    expect(cfg).toMatchObject({ port: 3000, queuePrefix: '{utm}', logLevel: 'info', trustProxy: false });
  });

  it('names every bad variable at once and never echoes a URL', () => {
    let err: unknown;
    try {
      loadGatewayConfig({ DATABASE_URL: 'mysql://u:secretpw@h/db', PORT: 'abc', LOG_LEVEL: 'loud' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join('\n');
    expect(problems).toMatch(/DATABASE_URL must be a URL/);
    expect(problems).toMatch(/REDIS_URL is required/);
    expect(problems).toMatch(/PORT must be an integer/);
    expect(problems).toMatch(/LOG_LEVEL must be one of/);
    expect(problems).not.toContain('secretpw');
  });
});

describe('gateway admin token', () => {
  it('is off when unset, kept when long enough, refused when short without echoing it', () => {
    expect(loadGatewayConfig(base).adminToken).toBeUndefined();
    const token = 'f'.repeat(64);
    expect(loadGatewayConfig({ ...base, ADMIN_TOKEN: token }).adminToken).toBe(token);
    let err: unknown;
    try {
      loadGatewayConfig({ ...base, ADMIN_TOKEN: 'hunter2-hunter2' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(/ADMIN_TOKEN must be at least 32 characters/);
    expect((err as ConfigError).message).not.toContain('hunter2');
    expect(() => loadGatewayConfig({ ...base, ADMIN_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` })).toThrow(/ADMIN_TOKEN must be/);
  });
});

describe('cli config', () => {
  it('accepts a hex or base64 encryption key of 32 bytes and rejects others', () => {
    expect(loadCliConfig({ ...base, UTM_ENCRYPTION_KEY: 'ab'.repeat(32) }).encryptionKey?.length).toBe(32);
    expect(loadCliConfig({ ...base, UTM_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).encryptionKey?.length).toBe(32);
    expect(() => loadCliConfig({ ...base, UTM_ENCRYPTION_KEY: 'short' })).toThrow(/UTM_ENCRYPTION_KEY must be 32 bytes/);
    expect(loadCliConfig({ DATABASE_URL: base.DATABASE_URL }).redisUrl).toBeUndefined();
  });
});

describe('processor config', () => {
  it('has worker defaults and bounds', () => {
    expect(loadProcessorConfig(base)).toMatchObject({ opsPort: 3001, concurrency: 8, sweepIntervalMs: 1000, lockTimeoutMs: 10000 });
    expect(() => loadProcessorConfig({ ...base, CONCURRENCY: '0' })).toThrow(/CONCURRENCY must be an integer from 1 to 256/);
  });
});

describe('executor config', () => {
  it('has a market clock and Alpaca endpoints by default, and checks them', () => {
    expect(loadExecutorConfig(base)).toMatchObject({
      opsPort: 3002,
      marketTimeZone: 'America/New_York',
      marketClose: '16:00',
      alpacaPaperUrl: 'https://paper-api.alpaca.markets',
      alpacaLiveStreamUrl: 'wss://api.alpaca.markets/stream',
      encryptionKey: undefined,
    });
    expect(() => loadExecutorConfig({ ...base, MARKET_CLOSE: '25:00', MARKET_TIMEZONE: 'Mars/Olympus' })).toThrow(/MARKET_CLOSE must be HH:MM[\s\S]*MARKET_TIMEZONE must be an IANA/);
  });
});
