import { Prisma } from './generated/prisma/client';

/**
 * The one Decimal class of the project (Prisma's decimal.js build): what Prisma returns for
 * NUMERIC columns and what domain code computes with, so values never cross class lines.
 *
 * decimal.js rounds every result to 20 significant digits by default: a NUMERIC(30,10)
 * value divided by a step could round up before it is floored. 60 digits hold any product
 * or quotient of two such values exactly enough to floor and round correctly.
 */
Prisma.Decimal.set({ precision: 60 });
export const Decimal = Prisma.Decimal;
export type Decimal = Prisma.Decimal;
