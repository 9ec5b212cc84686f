import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@utm/db';
import { generateApiKey } from '@utm/security';

export interface Fixture {
  userId: string;
  accountId: string;
  keyId: string;
  apiKey: string;
}

export interface FixtureOptions {
  mode?: 'PAPER' | 'LIVE';
  /** The key's mode when it should differ from the account's. */
  keyMode?: 'PAPER' | 'LIVE';
  cash?: string;
  rateLimit?: number;
  broker?: 'paper' | 'alpaca' | 'ccxt';
  /** ccxt accounts: the exchange id. */
  exchange?: string;
  allowFractional?: boolean;
}

/** A user of its own with one account and one API key: each test gets its own rows. */
export async function createFixture(prisma: PrismaClient, opts: FixtureOptions = {}): Promise<Fixture> {
  const mode = opts.mode ?? 'PAPER';
  const user = await prisma.user.create({ data: { name: `test-${randomUUID().slice(0, 8)}` } });
  const account = await prisma.account.create({
    data: {
      userId: user.id,
      name: 'test account',
      mode,
      broker: opts.broker ?? 'paper',
      cash: opts.cash ?? '100000',
      allowFractional: opts.allowFractional ?? false,
      exchange: opts.exchange ?? null,
    },
  });
  const key = await createApiKey(prisma, user.id, { mode: opts.keyMode ?? mode, rateLimit: opts.rateLimit });
  return { userId: user.id, accountId: account.id, keyId: key.keyId, apiKey: key.apiKey };
}

export async function createApiKey(
  prisma: PrismaClient,
  userId: string,
  opts: { mode?: 'PAPER' | 'LIVE'; rateLimit?: number | undefined } = {},
): Promise<{ keyId: string; apiKey: string }> {
  const k = generateApiKey(opts.mode ?? 'PAPER');
  const row = await prisma.apiKey.create({
    data: {
      userId,
      keyHash: k.keyHash,
      prefix: k.prefix,
      mode: opts.mode ?? 'PAPER',
      rateLimit: opts.rateLimit ?? 100,
    },
  });
  return { keyId: row.id, apiKey: k.apiKey };
}
