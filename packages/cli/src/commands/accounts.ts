import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { ModeValue } from '@utm/contracts';
import { setTradingState, TRADING_STATE_CHANGES, type Tx } from '@utm/db';
import { CliError } from '../errors';
import { act, type Ctx } from '../context';
import { decimalFlag, nonEmptyFlag, oneOfFlag, uuidFlag } from '../validate';
import { brokerSetup, type CredentialFlags } from './broker-credentials';
import { registerRiskCommand } from './risk';
import { requireUser } from './users';

export const BROKERS = ['paper', 'alpaca', 'ccxt'] as const;
export type BrokerValue = (typeof BROKERS)[number];
export const DEFAULT_CASH = '100000';

export interface NewAccount {
  userId: string;
  name: string;
  mode: ModeValue;
  broker: BrokerValue;
  cash: string;
  /** ccxt accounts: the exchange id. */
  exchange?: string | null;
  /** Crypto quantities are fractional: ccxt accounts size in fractions. */
  allowFractional?: boolean;
  /** Encrypts the credentials for the new account's id (the id is their AAD). */
  credentials?: (accountId: string) => Uint8Array<ArrayBuffer>;
}

export async function createAccount(tx: Tx, a: NewAccount): Promise<string> {
  const id = randomUUID();
  await tx.account.create({
    data: {
      id,
      userId: a.userId,
      name: a.name,
      mode: a.mode,
      broker: a.broker,
      cash: a.cash,
      exchange: a.exchange ?? null,
      allowFractional: a.allowFractional ?? false,
      brokerCredentials: a.credentials?.(id) ?? null,
    },
  });
  return id;
}

interface CreateOpts extends CredentialFlags {
  user: string;
  broker: string;
  cash: string;
  name?: string;
}

// The same change as POST /api/v1/accounts/:id/{halt,resume,reduce-only} (setTradingState).
const STATES = [
  { command: 'halt', state: TRADING_STATE_CHANGES.halt, what: 'refuse every new signal' },
  { command: 'resume', state: TRADING_STATE_CHANGES.resume, what: 'trade normally again' },
  {
    command: 'reduce-only',
    state: TRADING_STATE_CHANGES['reduce-only'],
    what: 'accept only signals that reduce positions',
  },
] as const;

export function registerAccountCommands(program: Command, ctx: Ctx): void {
  const account = program.command('account').description('manage trading accounts');
  account
    .command('create')
    .description('create an account → {"accountId"}')
    .requiredOption('--user <userId>', 'owner')
    .option('--mode <mode>', 'PAPER or LIVE (ccxt: from --sandbox)')
    .requiredOption('--broker <broker>', 'paper, alpaca or ccxt')
    .option('--cash <amount>', 'starting cash (decimal)', DEFAULT_CASH)
    .option('--name <name>', 'display name')
    .option('--alpaca-key-id <id>', 'Alpaca API key id (broker alpaca)')
    .option('--alpaca-secret <secret>', 'Alpaca API secret (broker alpaca; stored encrypted)')
    .option('--exchange <id>', 'ccxt exchange id, e.g. binance (broker ccxt)')
    .option('--api-key <key>', 'exchange API key (broker ccxt; stored encrypted)')
    .option('--secret <secret>', 'exchange API secret (broker ccxt; stored encrypted)')
    .option(
      '--password <passphrase>',
      'exchange API passphrase, for exchanges that have one (broker ccxt; stored encrypted)',
    )
    .option('--sandbox', "the exchange's test network (broker ccxt; the account is then PAPER)")
    .action(
      act(ctx, async (opts: CreateOpts) => {
        const userId = uuidFlag('--user', opts.user);
        const broker = oneOfFlag('--broker', opts.broker, BROKERS);
        const cash = decimalFlag('--cash', opts.cash, { positive: false });
        const { mode, exchange, credentials } = await brokerSetup(ctx, broker, opts);
        const venue = exchange ? `${broker}:${exchange}` : broker;
        const name = opts.name === undefined ? `${venue} (${mode})` : nonEmptyFlag('--name', opts.name);
        const prisma = ctx.prisma();
        await requireUser(prisma, userId);
        const allowFractional = broker === 'ccxt';
        const accountId = await createAccount(prisma, {
          userId,
          name,
          mode,
          broker,
          cash,
          exchange,
          allowFractional,
          credentials,
        });
        return {
          json: { accountId },
          human: `account ${accountId} created ("${name}", ${mode}, broker ${venue}, cash ${cash})`,
        };
      }),
    );
  for (const s of STATES) {
    account
      .command(s.command)
      .description(`set trading state ${s.state}: ${s.what} → {"accountId","tradingState"}`)
      .requiredOption('--account <accountId>', 'the account')
      .action(
        act(ctx, async (opts: { account: string }) => {
          const accountId = uuidFlag('--account', opts.account);
          const changed = await setTradingState(ctx.prisma(), accountId, s.state);
          if (!changed) throw new CliError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`);
          return { json: { accountId, tradingState: s.state }, human: `account ${accountId} is now ${s.state}` };
        }),
      );
  }
  registerRiskCommand(account, ctx);
}
