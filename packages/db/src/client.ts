import { PrismaPg } from '@prisma/adapter-pg';
import { Pool, type PoolConfig } from 'pg';
import { coalesceWrites } from './coalesce-writes';
import { PrismaClient, type Prisma } from './generated/prisma/client';

export interface DbOptions {
  url: string;
  /** Connections in the shared pool (Prisma and raw SQL use the same pool). */
  poolMax?: number;
  /** Fail a connection attempt after this long instead of hanging (Postgres down or unreachable). */
  connectTimeoutMs?: number;
  /** Server-side statement timeout; a stuck query becomes an error, not a hang. */
  statementTimeoutMs?: number;
  applicationName?: string;
  /** Called for errors of idle pooled connections (they would otherwise crash the process). */
  onPoolError?: (err: Error) => void;
  /**
   * Pipeline mode (node-postgres): a query leaves at once instead of waiting for the one
   * before it to be answered; statements still run in order and each gets its own answer.
   * Code that awaits each query behaves exactly as without it. Default on.
   */
  pipeline?: boolean;
}

export interface Db {
  prisma: PrismaClient;
  /** The pg pool behind Prisma, for the few hot paths that need hand-written SQL. */
  pool: Pool;
  close(): Promise<void>;
}

/** A Prisma client inside an interactive transaction. */
export type Tx = Prisma.TransactionClient;

export function createDb(opts: DbOptions): Db {
  const config: PoolConfig = {
    connectionString: opts.url,
    max: opts.poolMax ?? 10,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 3000,
    statement_timeout: opts.statementTimeoutMs ?? 15000,
    application_name: opts.applicationName ?? 'utm',
    pipeline: opts.pipeline ?? true,
  };
  const pool = new Pool(config);
  pool.on('error', (err) => opts.onPoolError?.(err));
  if (config.pipeline) pool.on('connect', coalesceWrites);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed = false;
  return {
    prisma,
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await pool.end();
    },
  };
}
