import type { PrismaClient } from '@utm/db';
import type { CliSettings } from './config';
import type { CommandResult, Output } from './output';

/** What command implementations get from the program. */
export interface Ctx {
  output: Output;
  settings(): CliSettings;
  prisma(): PrismaClient;
}

/** Wraps a command implementation: its result is printed once, its errors reach run(). */
export function act<A extends unknown[]>(
  ctx: Ctx,
  fn: (...args: A) => Promise<CommandResult>,
): (...args: A) => Promise<void> {
  return async (...args: A) => ctx.output.result(await fn(...args));
}
