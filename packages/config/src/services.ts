import { EnvReader, type Env } from './env';
import { clusterPrefixProblem, readClusterNodes, type RedisSeed, type RedisTarget } from './redis';

const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What every service needs: its stores, its queue prefix, its log level. */
export interface CommonConfig extends RedisTarget {
  databaseUrl: string;
  redisUrl: string;
  /** REDIS_CLUSTER_NODES, parsed: set, every connection is a Redis Cluster client. */
  redisClusterNodes: RedisSeed[] | undefined;
  /** BullMQ key prefix; hash-tagged so that one queue's keys share a Redis Cluster slot. */
  queuePrefix: string;
  logLevel: LogLevel;
  dbPoolMax: number;
}

/** QUEUE_PREFIX, which must be hash-tagged when REDIS_CLUSTER_NODES is set (BullMQ's scripts need one slot per queue). */
function queuePrefix(r: EnvReader, clusterNodes: RedisSeed[] | undefined): string {
  const prefix = r.str('QUEUE_PREFIX', '{utm}');
  const problem = clusterNodes ? clusterPrefixProblem(prefix) : undefined;
  if (problem) r.problems.push(problem);
  return prefix;
}

function common(r: EnvReader, poolDefault: number): CommonConfig {
  const redisClusterNodes = readClusterNodes(r);
  return {
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: r.url('REDIS_URL', ['redis:', 'rediss:']),
    redisClusterNodes,
    queuePrefix: queuePrefix(r, redisClusterNodes),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
    dbPoolMax: r.int('DB_POOL_MAX', poolDefault, { min: 1, max: 500 }),
  };
}

const shutdownTimeout = (r: EnvReader) => r.int('SHUTDOWN_TIMEOUT_MS', 30000, { min: 1000, max: 600000 });

export interface GatewayConfig extends CommonConfig {
  port: number;
  host: string;
  /** Express "trust proxy": set when behind a load balancer so client IPs are right. */
  trustProxy: boolean;
  /** How often the outbox sweeper looks for accepted signals that may lack their job... */
  outboxIntervalMs: number;
  /** ...and how long a signal stays PENDING before it counts as possibly missing one. */
  outboxGraceMs: number;
  /** How long an API key or account lookup is cached in memory (revocations are pushed). */
  authCacheTtlMs: number;
  /** SIGTERM: how long the requests in flight and the shutdown may take before exiting anyway. */
  shutdownTimeoutMs: number;
  /** Opens the queue board at /admin/queues; unset, the board is off. Never logged. */
  adminToken: string | undefined;
}

/** Long enough that guessing it over HTTP is hopeless (`openssl rand -hex 32` gives 64). */
export const ADMIN_TOKEN_MIN_LENGTH = 32;

function adminToken(r: EnvReader): string | undefined {
  const token = r.optionalStr('ADMIN_TOKEN');
  if (token !== undefined && (token.length < ADMIN_TOKEN_MIN_LENGTH || /\s/.test(token))) {
    // Never echo the value.
    r.problems.push(
      `ADMIN_TOKEN must be at least ${ADMIN_TOKEN_MIN_LENGTH} characters without spaces (generate one with: openssl rand -hex 32)`,
    );
    return undefined;
  }
  return token;
}

export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const r = new EnvReader(env);
  const cfg: GatewayConfig = {
    ...common(r, 20),
    port: r.int('PORT', 3000, { min: 0, max: 65535 }),
    host: r.str('HOST', '0.0.0.0'),
    trustProxy: r.bool('TRUST_PROXY', false),
    outboxIntervalMs: r.int('OUTBOX_INTERVAL_MS', 1000, { min: 50, max: 60000 }),
    outboxGraceMs: r.int('OUTBOX_GRACE_MS', 5000, { min: 0, max: 3600000 }),
    authCacheTtlMs: r.int('AUTH_CACHE_TTL_MS', 5000, { min: 0, max: 300000 }),
    shutdownTimeoutMs: shutdownTimeout(r),
    adminToken: adminToken(r),
  };
  r.done();
  return cfg;
}

/** What the worker services (processor, executor) share besides CommonConfig. */
export interface WorkerConfig extends CommonConfig {
  /** Port of /healthz, /readyz and /metrics. */
  opsPort: number;
  /** Batches of jobs under way at once in this replica (each one transaction). */
  concurrency: number;
  /** Jobs taken together into one batch at most. */
  batchSize: number;
  /** How often rows whose job may be missing are re-enqueued, and after how long. */
  sweepIntervalMs: number;
  sweepGraceMs: number;
  /** Bound on waiting for another replica's lock on the same account. */
  lockTimeoutMs: number;
  /** How long SIGTERM waits for the job in hand before exiting anyway. */
  shutdownTimeoutMs: number;
}

function worker(r: EnvReader, opsPortDefault: number): WorkerConfig {
  return {
    ...common(r, 10),
    opsPort: r.int('OPS_PORT', opsPortDefault, { min: 0, max: 65535 }),
    concurrency: r.int('CONCURRENCY', 2, { min: 1, max: 64 }),
    batchSize: r.int('BATCH_SIZE', 32, { min: 1, max: 500 }),
    sweepIntervalMs: r.int('SWEEP_INTERVAL_MS', 1000, { min: 50, max: 60000 }),
    sweepGraceMs: r.int('SWEEP_GRACE_MS', 5000, { min: 0, max: 3600000 }),
    lockTimeoutMs: r.int('LOCK_TIMEOUT_MS', 10000, { min: 100, max: 600000 }),
    shutdownTimeoutMs: shutdownTimeout(r),
  };
}

export interface ProcessorConfig extends WorkerConfig {
  /**
   * A signal waits for the earlier orders of its account in its symbol to be worked before it
   * is decided; at an external venue, for a market order's fill at most this long…
   */
  marketFillWaitMs: number;
  /** …and for a cancel's confirmation at most this long. */
  cancelWaitMs: number;
}

export function loadProcessorConfig(env: Env = process.env): ProcessorConfig {
  const r = new EnvReader(env);
  const cfg: ProcessorConfig = {
    ...worker(r, 3001),
    marketFillWaitMs: r.int('MARKET_FILL_WAIT_MS', 5000, { min: 0, max: 600000 }),
    cancelWaitMs: r.int('CANCEL_WAIT_MS', 30000, { min: 0, max: 600000 }),
  };
  r.done();
  return cfg;
}

export interface ExecutorConfig extends WorkerConfig {
  /** AES-256-GCM key for broker credentials; needed only when an account trades on Alpaca. */
  encryptionKey: Buffer | undefined;
  /** The paper market clock: DAY orders expire at this local close time (weekdays). */
  marketTimeZone: string;
  marketClose: string;
  /** How often open orders are compared with the broker's view. */
  reconcileIntervalMs: number;
  /** Bound on one broker HTTP call. */
  brokerTimeoutMs: number;
  /** Polling fallback for broker order updates while the stream is down. */
  brokerPollIntervalMs: number;
  /** Requests a minute one Alpaca account may make (Alpaca allows 200 per API key). */
  alpacaRequestsPerMinute: number;
  alpacaPaperUrl: string;
  alpacaLiveUrl: string;
  alpacaPaperStreamUrl: string;
  alpacaLiveStreamUrl: string;
  /**
   * ccxt accounts: an origin (scheme, host, port) that replaces the exchange's in each of its REST
   * URLs, paths kept (a proxy in front of the exchange, a local stand-in); undefined: the exchange's.
   */
  ccxtApiOrigin: string | undefined;
}

export function loadExecutorConfig(env: Env = process.env): ExecutorConfig {
  const r = new EnvReader(env);
  const marketClose = r.str('MARKET_CLOSE', '16:00');
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(marketClose))
    r.problems.push(`MARKET_CLOSE must be HH:MM (got "${marketClose}")`);
  const marketTimeZone = r.str('MARKET_TIMEZONE', 'America/New_York');
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: marketTimeZone });
  } catch {
    r.problems.push(`MARKET_TIMEZONE must be an IANA time zone such as America/New_York (got "${marketTimeZone}")`);
  }
  const cfg: ExecutorConfig = {
    ...worker(r, 3002),
    encryptionKey: r.key32('UTM_ENCRYPTION_KEY', false),
    marketTimeZone,
    marketClose,
    reconcileIntervalMs: r.int('RECONCILE_INTERVAL_MS', 30000, { min: 1000, max: 3600000 }),
    brokerTimeoutMs: r.int('BROKER_TIMEOUT_MS', 10000, { min: 100, max: 120000 }),
    brokerPollIntervalMs: r.int('BROKER_POLL_INTERVAL_MS', 2000, { min: 100, max: 600000 }),
    alpacaRequestsPerMinute: r.int('ALPACA_REQUESTS_PER_MINUTE', 200, { min: 10, max: 10000 }),
    alpacaPaperUrl: r.url('ALPACA_PAPER_URL', ['https:', 'http:'], 'https://paper-api.alpaca.markets'),
    alpacaLiveUrl: r.url('ALPACA_LIVE_URL', ['https:', 'http:'], 'https://api.alpaca.markets'),
    alpacaPaperStreamUrl: r.url('ALPACA_PAPER_STREAM_URL', ['wss:', 'ws:'], 'wss://paper-api.alpaca.markets/stream'),
    alpacaLiveStreamUrl: r.url('ALPACA_LIVE_STREAM_URL', ['wss:', 'ws:'], 'wss://api.alpaca.markets/stream'),
    ccxtApiOrigin:
      r.optionalStr('CCXT_API_ORIGIN') === undefined ? undefined : r.url('CCXT_API_ORIGIN', ['https:', 'http:']),
  };
  r.done();
  return cfg;
}

/** The one-shot migration job (`node packages/db/dist/migrate-cli.js`). */
export interface MigrateConfig {
  databaseUrl: string;
}

export function loadMigrateConfig(env: Env = process.env): MigrateConfig {
  const r = new EnvReader(env);
  const cfg: MigrateConfig = { databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']) };
  r.done();
  return cfg;
}

export interface CliConfig {
  databaseUrl: string;
  /** Optional: without it, `signal retry` leaves the job to the outbox sweeper and `key revoke` to the cache TTL. */
  redisUrl: string | undefined;
  redisClusterNodes?: RedisSeed[] | undefined;
  /** Must match the services' QUEUE_PREFIX for `signal retry` and `key revoke` to reach them. */
  queuePrefix: string;
  /** AES-256-GCM key for broker credentials; needed only to store or read them. */
  encryptionKey: Buffer | undefined;
}

export function loadCliConfig(env: Env = process.env): CliConfig {
  const r = new EnvReader(env);
  const redisClusterNodes = readClusterNodes(r);
  const redisUrl = r.optionalStr('REDIS_URL') === undefined ? undefined : r.url('REDIS_URL', ['redis:', 'rediss:']);
  if (redisClusterNodes && redisUrl === undefined)
    r.problems.push(
      'REDIS_CLUSTER_NODES needs REDIS_URL as well (one more node, and the user name, password and TLS used on every node)',
    );
  const cfg: CliConfig = {
    databaseUrl: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl,
    redisClusterNodes,
    queuePrefix: queuePrefix(r, redisClusterNodes),
    encryptionKey: r.key32('UTM_ENCRYPTION_KEY', false),
  };
  r.done();
  return cfg;
}
