export { createDb, type Db, type DbOptions, type Tx } from './client';
export { migrate, ensureDatabase, readMigrations, MIGRATIONS_DIR, type MigrateResult } from './migrate';
export * from './generated/prisma/client';
import { Prisma } from './generated/prisma/client';

/**
 * The one Decimal class of the project (Prisma's decimal.js build): what Prisma returns for
 * NUMERIC columns and what domain code computes with, so values never cross class lines.
 */
export const Decimal = Prisma.Decimal;
export type Decimal = Prisma.Decimal;
