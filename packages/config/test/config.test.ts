import {
  clusterPrefixProblem,
  ConfigError,
  configVariables,
  hashTagOf,
  loadCliConfig,
  loadExecutorConfig,
  loadGatewayConfig,
  loadMigrateConfig,
  loadNotifierConfig,
  loadProcessorConfig,
  variablesReadBy,
} from '../src';

const base = { DATABASE_URL: 'postgresql://u:pw@localhost:5432/db', REDIS_URL: 'redis://localhost:6379' };

describe('gateway config', () => {
  it('applies defaults', () => {
    const cfg = loadGatewayConfig(base);
    expect(cfg).toMatchObject({
      port: 3000,
      queuePrefix: '{utm}',
      logLevel: 'info',
      trustProxy: false,
      shutdownTimeoutMs: 30000,
    });
  });

  it('bounds the SIGTERM drain like the workers do', () => {
    expect(loadGatewayConfig({ ...base, SHUTDOWN_TIMEOUT_MS: '5000' }).shutdownTimeoutMs).toBe(5000);
    expect(() => loadGatewayConfig({ ...base, SHUTDOWN_TIMEOUT_MS: '10' })).toThrow(
      /SHUTDOWN_TIMEOUT_MS must be an integer from 1000 to 600000/,
    );
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
    expect(() => loadGatewayConfig({ ...base, ADMIN_TOKEN: `${'a'.repeat(20)} ${'b'.repeat(20)}` })).toThrow(
      /ADMIN_TOKEN must be/,
    );
  });
});

describe('cli config', () => {
  it('accepts a hex or base64 encryption key of 32 bytes and rejects others', () => {
    expect(loadCliConfig({ ...base, UTM_ENCRYPTION_KEY: 'ab'.repeat(32) }).encryptionKey?.length).toBe(32);
    expect(
      loadCliConfig({ ...base, UTM_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }).encryptionKey?.length,
    ).toBe(32);
    expect(() => loadCliConfig({ ...base, UTM_ENCRYPTION_KEY: 'short' })).toThrow(
      /UTM_ENCRYPTION_KEY must be 32 bytes/,
    );
    expect(loadCliConfig({ DATABASE_URL: base.DATABASE_URL }).redisUrl).toBeUndefined();
  });
});

describe('processor config', () => {
  it('has worker defaults and bounds', () => {
    expect(loadProcessorConfig(base)).toMatchObject({
      opsPort: 3001,
      concurrency: 2,
      batchSize: 32,
      sweepIntervalMs: 1000,
      lockTimeoutMs: 10000,
    });
    expect(() => loadProcessorConfig({ ...base, CONCURRENCY: '0' })).toThrow(
      /CONCURRENCY must be an integer from 1 to 64/,
    );
    expect(() => loadProcessorConfig({ ...base, BATCH_SIZE: '501' })).toThrow(
      /BATCH_SIZE must be an integer from 1 to 500/,
    );
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
    expect(() => loadExecutorConfig({ ...base, MARKET_CLOSE: '25:00', MARKET_TIMEZONE: 'Mars/Olympus' })).toThrow(
      /MARKET_CLOSE must be HH:MM[\s\S]*MARKET_TIMEZONE must be an IANA/,
    );
  });
});

describe('notifier config', () => {
  const key = 'ab'.repeat(32);
  it('takes the encryption key (it decrypts webhook URLs and secrets), and has the documented defaults', () => {
    expect(loadNotifierConfig(base).encryptionKey).toBeUndefined();
    expect(() => loadNotifierConfig({ ...base, UTM_ENCRYPTION_KEY: 'short' })).toThrow(
      /UTM_ENCRYPTION_KEY must be 32 bytes/,
    );
    const cfg = loadNotifierConfig({ ...base, UTM_ENCRYPTION_KEY: key });
    expect(cfg).toMatchObject({
      opsPort: 3003,
      pollIntervalMs: 50,
      endpointConcurrency: 8,
      timeoutMs: 10000,
      webhookAllowPrivate: false,
      discordApiUrl: 'https://discord.com',
      slackHooksUrl: 'https://hooks.slack.com',
      telegramApiUrl: 'https://api.telegram.org',
    });
    expect(cfg.encryptionKey?.toString('hex')).toBe(key);
  });

  it('names every bad variable at once, never echoing a URL', () => {
    const message = configError(() =>
      loadNotifierConfig({
        ...base,
        UTM_ENCRYPTION_KEY: key,
        WEBHOOK_ALLOW_PRIVATE: 'maybe',
        NOTIFY_ENDPOINT_CONCURRENCY: '0',
        DISCORD_API_URL: 'ftp://user:secret@x',
      }),
    );
    expect(message).toMatch(/WEBHOOK_ALLOW_PRIVATE must be true or false/);
    expect(message).toMatch(/NOTIFY_ENDPOINT_CONCURRENCY must be an integer from 1/);
    expect(message).toMatch(/DISCORD_API_URL must be a URL/);
    expect(message).not.toContain('secret');
  });

  it('the gateway takes the key (for POST /api/v1/webhooks) and the private-address switch, both optional', () => {
    expect(loadGatewayConfig(base)).toMatchObject({ encryptionKey: undefined, webhookAllowPrivate: false });
    expect(loadGatewayConfig({ ...base, WEBHOOK_ALLOW_PRIVATE: 'true' }).webhookAllowPrivate).toBe(true);
  });
});

describe('variables each program reads (derived from its loader)', () => {
  it('records every lookup, including those of variables left unset', () => {
    const vars = configVariables();
    expect(vars['ingest-gateway']).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'REDIS_URL',
        'QUEUE_PREFIX',
        'LOG_LEVEL',
        'DB_POOL_MAX',
        'PORT',
        'HOST',
        'TRUST_PROXY',
      ]),
    );
    expect(vars['ingest-gateway']).not.toContain('OPS_PORT');
    expect(vars['signal-processor']).toEqual(
      expect.arrayContaining(['OPS_PORT', 'CONCURRENCY', 'BATCH_SIZE', 'SHUTDOWN_TIMEOUT_MS']),
    );
    expect(vars['signal-processor']).not.toContain('UTM_ENCRYPTION_KEY');
    expect(vars['broker-executor']).toEqual(
      expect.arrayContaining(['OPS_PORT', 'UTM_ENCRYPTION_KEY', 'MARKET_CLOSE', 'ALPACA_LIVE_STREAM_URL']),
    );
    expect(vars.notifier).toEqual(
      expect.arrayContaining(['OPS_PORT', 'UTM_ENCRYPTION_KEY', 'WEBHOOK_ALLOW_PRIVATE', 'TELEGRAM_API_URL']),
    );
    expect(vars.migrate).toEqual(['DATABASE_URL']);
    expect(vars.cli).toEqual([
      'DATABASE_URL',
      'QUEUE_PREFIX',
      'REDIS_CLUSTER_NODES',
      'REDIS_URL',
      'UTM_ENCRYPTION_KEY',
    ]);
    for (const program of ['ingest-gateway', 'signal-processor', 'broker-executor', 'notifier'] as const)
      expect(vars[program]).toContain('REDIS_CLUSTER_NODES');
  });

  it('the migration job needs DATABASE_URL', () => {
    expect(() => loadMigrateConfig({})).toThrow(/DATABASE_URL is required/);
    expect(loadMigrateConfig(base).databaseUrl).toBe(base.DATABASE_URL);
  });

  it('a loader failing for another reason than configuration is not hidden', () => {
    expect(() =>
      variablesReadBy(() => {
        throw new TypeError('bug');
      }),
    ).toThrow('bug');
    expect(variablesReadBy((env) => [env.A, env.B])).toEqual(['A', 'B']);
  });
});

/** What an operator would get on a problem: the ConfigError's whole message. */
function configError(load: () => unknown): string {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('Redis Cluster (REDIS_CLUSTER_NODES)', () => {
  const cluster = { ...base, REDIS_CLUSTER_NODES: 'redis-1:7000, redis_2:7001,10.0.0.3:7002,[::1]:7003' };

  it('unset: one Redis server, as before', () => {
    expect(loadGatewayConfig(base).redisClusterNodes).toBeUndefined();
    expect(loadGatewayConfig({ ...base, QUEUE_PREFIX: 'plain' }).queuePrefix).toBe('plain');
  });

  it('parses host:port seeds (IPv6 in brackets) for every service and the CLI', () => {
    const seeds = [
      { host: 'redis-1', port: 7000 },
      { host: 'redis_2', port: 7001 },
      { host: '10.0.0.3', port: 7002 },
      { host: '::1', port: 7003 },
    ];
    for (const load of [loadGatewayConfig, loadProcessorConfig, loadExecutorConfig, loadCliConfig]) {
      expect(load(cluster)).toMatchObject({ redisUrl: base.REDIS_URL, redisClusterNodes: seeds, queuePrefix: '{utm}' });
    }
  });

  it('rejects a malformed list, naming the variable and each bad entry, never echoing one that may hold a password', () => {
    for (const bad of [
      'redis-1',
      'redis-1:7000,',
      'redis-1:0',
      'redis-1:70000',
      ':7000',
      'redis-1:7000;redis-2:7001',
      'redis://redis-1:7000',
      'redis-1:7000 redis-2:7001',
    ]) {
      expect({ bad, message: configError(() => loadGatewayConfig({ ...base, REDIS_CLUSTER_NODES: bad })) }).toEqual({
        bad,
        message: expect.stringMatching(
          /REDIS_CLUSTER_NODES must be a comma-separated list of Redis Cluster nodes as host:port/,
        ),
      });
    }
    const message = configError(() =>
      loadProcessorConfig({ ...base, REDIS_CLUSTER_NODES: 'good:1,nope,,redis://:s3cret@h:2' }),
    );
    expect(message).toMatch(/"nope" is not host:port; entry 3 is empty; entry 4 is not host:port/);
    expect(message).not.toContain('s3cret');
  });

  it('refuses a QUEUE_PREFIX without a hash tag in cluster mode, saying how to fix it', () => {
    for (const prefix of ['utm', '{}utm', 'utm}{', '{utm']) {
      const message = configError(() => loadExecutorConfig({ ...cluster, QUEUE_PREFIX: prefix }));
      expect({ prefix, message }).toEqual({
        prefix,
        message: expect.stringContaining(`QUEUE_PREFIX "${prefix}" is not hash-tagged`),
      });
      expect(message).toMatch(/Set QUEUE_PREFIX=\{utm\} \(the default is \{utm\}\)/);
    }
    expect(configError(() => loadCliConfig({ ...cluster, QUEUE_PREFIX: 'prod' }))).toMatch(/Set QUEUE_PREFIX=\{prod\}/);
    expect(loadGatewayConfig({ ...cluster, QUEUE_PREFIX: 'app:{utm}:v2' }).queuePrefix).toBe('app:{utm}:v2');
  });

  it('the CLI needs REDIS_URL beside the nodes (credentials, TLS)', () => {
    expect(
      configError(() => loadCliConfig({ DATABASE_URL: base.DATABASE_URL, REDIS_CLUSTER_NODES: 'r:7000' })),
    ).toMatch(/REDIS_CLUSTER_NODES needs REDIS_URL/);
  });

  it('finds the hash tag the way Redis Cluster does', () => {
    expect(hashTagOf('{utm}')).toBe('utm');
    expect(hashTagOf('a{b}c{d}')).toBe('b');
    expect(hashTagOf('{}{utm}')).toBeUndefined(); // the first {…} is empty: the whole key is hashed
    expect(hashTagOf('{a')).toBeUndefined();
    expect(clusterPrefixProblem('{utm}')).toBeUndefined();
  });
});
