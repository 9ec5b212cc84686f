import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { MODES, type ModeValue } from '@utm/contracts';
import { setTradingState, TRADING_STATE_CHANGES, type Tx } from '@utm/db';
import { encryptSecret, type AlpacaCredentials } from '@utm/security';
import { CliError, invalid } from '../errors';
import { act, type Ctx } from '../context';
import { decimalFlag, nonEmptyFlag, oneOfFlag, uuidFlag } from '../validate';
import { registerRiskCommand } from './risk';
import { requireUser } from './users';

export const BROKERS = ['paper', 'alpaca'] as const;
export type BrokerValue = (typeof BROKERS)[number];
export const DEFAULT_CASH = '100000';

export interface NewAccount {
  userId: string;
  name: string;
  mode: ModeValue;
  broker: BrokerValue;
  cash: string;
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
      brokerCredentials: a.credentials?.(id) ?? null,
    },
  });
  return id;
}

interface CreateOpts {
  user: string;
  mode: string;
  broker: string;
  cash: string;
  name?: string;
  alpacaKeyId?: string;
  alpacaSecret?: string;
}

/** Alpaca credentials, encrypted under UTM_ENCRYPTION_KEY; the secret is never printed or logged. */
function alpacaCredentials(ctx: Ctx, opts: CreateOpts, broker: BrokerValue): NewAccount['credentials'] {
  if (broker !== 'alpaca') {
    if (opts.alpacaKeyId !== undefined || opts.alpacaSecret !== undefined) {
      throw invalid('--alpaca-key-id', 'and --alpaca-secret are only for --broker alpaca');
    }
    return undefined;
  }
  if (!opts.alpacaKeyId?.trim()) throw invalid('--alpaca-key-id', 'is required for --broker alpaca');
  if (!opts.alpacaSecret?.trim()) throw invalid('--alpaca-secret', 'is required for --broker alpaca');
  const key = ctx.settings().encryptionKey;
  if (!key) {
    throw new CliError(
      'CONFIG_ERROR',
      'UTM_ENCRYPTION_KEY is not set: broker credentials are stored encrypted under it (32 bytes as 64 hex characters or base64, e.g. `openssl rand -hex 32`)',
    );
  }
  const creds: AlpacaCredentials = { keyId: opts.alpacaKeyId.trim(), secretKey: opts.alpacaSecret.trim() };
  const plaintext = JSON.stringify(creds);
  return (accountId) => new Uint8Array(encryptSecret(key, plaintext, accountId));
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
    .requiredOption('--mode <mode>', 'PAPER or LIVE')
    .requiredOption('--broker <broker>', 'paper or alpaca')
    .option('--cash <amount>', 'starting cash (decimal)', DEFAULT_CASH)
    .option('--name <name>', 'display name')
    .option('--alpaca-key-id <id>', 'Alpaca API key id (broker alpaca)')
    .option('--alpaca-secret <secret>', 'Alpaca API secret (broker alpaca; stored encrypted)')
    .action(
      act(ctx, async (opts: CreateOpts) => {
        const userId = uuidFlag('--user', opts.user);
        const mode = oneOfFlag('--mode', opts.mode, MODES);
        const broker = oneOfFlag('--broker', opts.broker, BROKERS);
        const cash = decimalFlag('--cash', opts.cash, { positive: false });
        const name = opts.name === undefined ? `${broker} (${mode})` : nonEmptyFlag('--name', opts.name);
        const credentials = alpacaCredentials(ctx, opts, broker);
        const prisma = ctx.prisma();
        await requireUser(prisma, userId);
        const accountId = await createAccount(prisma, { userId, name, mode, broker, cash, credentials });
        return {
          json: { accountId },
          human: `account ${accountId} created ("${name}", ${mode}, broker ${broker}, cash ${cash})`,
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
