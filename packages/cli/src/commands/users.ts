import type { Command } from 'commander';
import type { Tx } from '@utm/db';
import { CliError } from '../errors';
import { act, type Ctx } from '../context';
import { nonEmptyFlag } from '../validate';

export async function createUser(tx: Tx, name: string): Promise<string> {
  return (await tx.user.create({ data: { name } })).id;
}

/** The user row, or NOT_FOUND naming the flag's value. */
export async function requireUser(tx: Tx, userId: string): Promise<void> {
  const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true } });
  if (!user) throw new CliError('NOT_FOUND', `user ${userId} not found`);
}

export function registerUserCommands(program: Command, ctx: Ctx): void {
  const user = program.command('user').description('manage users');
  user
    .command('create')
    .description('create a user → {"userId"}')
    .requiredOption('--name <name>', 'display name')
    .action(
      act(ctx, async (opts: { name: string }) => {
        const name = nonEmptyFlag('--name', opts.name);
        const userId = await createUser(ctx.prisma(), name);
        return { json: { userId }, human: `user ${userId} created (${name})` };
      }),
    );
}
