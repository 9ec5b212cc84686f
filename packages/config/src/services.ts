import { EnvReader, type Env } from './env';

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service needs: its stores, its queue prefix, its log level. */
export interface CommonConfig {
  databaseUrl: string;
  redisUrl: string;
  /** BullMQ key prefix; hash-tagged so that one queue's keys share a Redis Cluster slot. */
  queuePrefix: string;
  logLevel: LogLevel;
  dbPoolMax: number;
}

function common(r: EnvReader, poolDefault: number): CommonConfig {
  return {
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    queuePrefix: r.str('QUEUE_PREFIX', '{utm}'),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    dbPoolMax: r.int('DB_POOL_MAX', poolDefault, { min: 1, max: 500 }),
  };
}

export interface GatewayConfig extends CommonConfig {
  port: number;
  host: string;
  /** Express "trust proxy": set when behind a load balancer so client IPs are right. */
  trustProxy: boolean;
  /** How often the outbox relay looks for accepted signals whose job did not reach Redis. */
  outboxIntervalMs: number;
  /** How long an API key or account lookup is cached in memory (revocations are pushed). */
  authCacheTtlMs: number;
}

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const r = new EnvReader(env);
  const cfg: GatewayConfig = {
    ...common(r, 20),
    port: r.int('PORT', 3000, { min: 0, max: 65535 }),
    host: r.str('HOST', '0.0.0.0'),
    trustProxy: r.bool('TRUST_PROXY', false),
    outboxIntervalMs: r.int('OUTBOX_INTERVAL_MS', 1000, { min: 50, max: 60000 }),
    authCacheTtlMs: r.int('AUTH_CACHE_TTL_MS', 5000, { min: 0, max: 300000 }),
  };
  r.done();
  return cfg;
}

export interface CliConfig {
  databaseUrl: string;
  redisUrl: string | undefined;
  /** AES-256-GCM key for broker credentials; needed only to store or read them. */
  encryptionKey: Buffer | undefined;
}

export function loadCliConfig(env: Env = process.env): CliConfig {
  const r = new EnvReader(env);
  const cfg: CliConfig = {
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.optionalStr('REDIS_URL') === undefined ? undefined : r.url('REDIS_URL', ['redis:', 'rediss:']),
    encryptionKey: r.key32('UTM_ENCRYPTION_KEY', false),
  };
  r.done();
  return cfg;
}
