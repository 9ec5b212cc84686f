import type { Command } from 'commander';
import { act, type Ctx } from '../context';
import { createAccount, DEFAULT_CASH } from './accounts';
import { createKey, DEFAULT_RATE_LIMIT } from './keys';
import { createUser } from './users';

export function registerBootstrapCommand(program: Command, ctx: Ctx): void {
  program
    .command('bootstrap')
    .description(
      'a demo user, a PAPER account (paper broker, cash 100000) and a PAPER key → {"userId","accountId","apiKey"}',
    )
    .action(
      act(ctx, async () => {
        // All or nothing: no user without its account and key.
        const { userId, accountId, apiKey } = await ctx.prisma().$transaction(async (tx) => {
          const userId = await createUser(tx, 'demo');
          const accountId = await createAccount(tx, {
            userId,
            name: 'demo',
            mode: 'PAPER',
            broker: 'paper',
            cash: DEFAULT_CASH,
          });
          const { apiKey } = await createKey(tx, userId, 'PAPER', DEFAULT_RATE_LIMIT);
          return { userId, accountId, apiKey };
        });
        ctx.output.note('Store the API key now: it is shown once and cannot be recovered.');
        return {
          json: { userId, accountId, apiKey },
          human: [
            `user     ${userId} (demo)`,
            `account  ${accountId} (PAPER, paper broker, cash ${DEFAULT_CASH})`,
            `API key  ${apiKey}`,
          ].join('\n'),
        };
      }),
    );
}
