import type { ModeValue } from '@utm/contracts';
import { encryptSecret, type AlpacaCredentials, type CcxtCredentials } from '@utm/security';
import { CliError, invalid } from '../errors';
import type { Ctx } from '../context';
import { oneOfFlag } from '../validate';

export interface CredentialFlags {
  mode?: string;
  alpacaKeyId?: string;
  alpacaSecret?: string;
  exchange?: string;
  apiKey?: string;
  secret?: string;
  password?: string;
  sandbox?: boolean;
}

export interface BrokerSetup {
  mode: ModeValue;
  /** ccxt's exchange id (broker ccxt). */
  exchange: string | null;
  /** Encrypts the credentials for the new account's id (its AAD). */
  credentials?: (accountId: string) => Uint8Array<ArrayBuffer>;
}

const MODES = ['PAPER', 'LIVE'] as const;
const ALPACA_FLAGS = ['alpacaKeyId', 'alpacaSecret'] as const;
const CCXT_FLAGS = ['exchange', 'apiKey', 'secret', 'password', 'sandbox'] as const;
const FLAG_NAMES: Record<string, string> = {
  alpacaKeyId: '--alpaca-key-id',
  alpacaSecret: '--alpaca-secret',
  exchange: '--exchange',
  apiKey: '--api-key',
  secret: '--secret',
  password: '--password',
  sandbox: '--sandbox',
};

function refuseFlags(opts: CredentialFlags, names: readonly (keyof CredentialFlags)[], only: string): void {
  const given = names.filter((n) => opts[n] !== undefined);
  const first = given[0];
  if (first) throw invalid(FLAG_NAMES[first] ?? first, `is only for ${only}`);
}

function encrypter(ctx: Ctx, plaintext: string): (accountId: string) => Uint8Array<ArrayBuffer> {
  const key = ctx.settings().encryptionKey;
  if (!key)
    throw new CliError(
      'CONFIG_ERROR',
      'UTM_ENCRYPTION_KEY is not set: broker credentials are stored encrypted under it (32 bytes as 64 hex characters or base64, e.g. `openssl rand -hex 32`)',
    );
  return (accountId) => new Uint8Array(encryptSecret(key, plaintext, accountId));
}

const required = (flag: string, value: string | undefined, broker: string): string => {
  if (!value?.trim()) throw invalid(flag, `is required for --broker ${broker}`);
  return value.trim();
};

/**
 * The account's mode, exchange and encrypted credentials from the flags, per broker. Secrets
 * are never printed or logged. A ccxt account's mode follows --sandbox (the exchange's test
 * network is PAPER, the exchange itself LIVE); --mode, if given, must agree.
 */
export async function brokerSetup(
  ctx: Ctx,
  broker: 'paper' | 'alpaca' | 'ccxt',
  opts: CredentialFlags,
): Promise<BrokerSetup> {
  if (broker !== 'ccxt') {
    refuseFlags(opts, CCXT_FLAGS, '--broker ccxt');
    if (opts.mode === undefined) throw invalid('--mode', `is required for --broker ${broker} (PAPER or LIVE)`);
    const mode = oneOfFlag('--mode', opts.mode, MODES);
    if (broker === 'paper') {
      refuseFlags(opts, ALPACA_FLAGS, '--broker alpaca');
      return { mode, exchange: null };
    }
    const creds: AlpacaCredentials = {
      keyId: required('--alpaca-key-id', opts.alpacaKeyId, 'alpaca'),
      secretKey: required('--alpaca-secret', opts.alpacaSecret, 'alpaca'),
    };
    return { mode, exchange: null, credentials: encrypter(ctx, JSON.stringify(creds)) };
  }
  refuseFlags(opts, ALPACA_FLAGS, '--broker alpaca');
  const exchange = required('--exchange', opts.exchange, 'ccxt').toLowerCase();
  const sandbox = opts.sandbox === true;
  const mode: ModeValue = sandbox ? 'PAPER' : 'LIVE';
  if (opts.mode !== undefined && oneOfFlag('--mode', opts.mode, MODES) !== mode)
    throw invalid(
      '--mode',
      sandbox
        ? 'must be PAPER with --sandbox (the exchange test network is paper money)'
        : 'PAPER needs --sandbox for --broker ccxt (without it the account trades real money on the exchange: LIVE)',
    );
  const { exchanges, sandboxOf } = await ccxtCatalogue();
  if (!exchanges.includes(exchange))
    throw invalid('--exchange', `must be an exchange id ccxt knows, e.g. binance (got "${exchange}")`);
  if (sandbox && !sandboxOf(exchange)) throw invalid('--sandbox', `${exchange} has no test network in ccxt`);
  const creds: CcxtCredentials = {
    apiKey: required('--api-key', opts.apiKey, 'ccxt'),
    secret: required('--secret', opts.secret, 'ccxt'),
    ...(opts.password?.trim() ? { password: opts.password.trim() } : {}),
  };
  return { mode, exchange, credentials: encrypter(ctx, JSON.stringify(creds)) };
}

/** ccxt's exchange ids, and whether one has a test network (urls.test); loaded only when needed. */
async function ccxtCatalogue(): Promise<{ exchanges: string[]; sandboxOf: (id: string) => boolean }> {
  const ccxt = (await import('ccxt')).default as unknown as Record<string, unknown> & { exchanges: string[] };
  return {
    exchanges: ccxt.exchanges,
    sandboxOf: (id) => {
      const Ctor = ccxt[id] as (new () => { urls: { test?: unknown } }) | undefined;
      return Ctor !== undefined && new Ctor().urls.test !== undefined;
    },
  };
}
