import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DevstackError, errorMessage, say } from './log';

/**
 * The local encryption key (broker credentials are stored under it): UTM_ENCRYPTION_KEY
 * when set, else `<dataDir>/encryption.key`, generated once (32 random bytes, hex, 0600).
 */
export function ensureEncryptionKey(dataDir: string, configured: string | undefined): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'encryption.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
      say(`generated a local encryption key in ${file}`);
    } catch (err) {
      // EEXIST: another start created it a moment ago; read theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(key)) {
    throw new DevstackError(
      `${file} does not hold 64 hex characters; delete it to generate a new key (broker credentials stored under the old one become unreadable)`,
    );
  }
  return key;
}

export interface Credentials {
  userId: string;
  accountId: string;
  apiKey: string;
}

// Ids and keys go into a shell command line: accept only characters that need no quoting.
const SAFE = /^[A-Za-z0-9_.:-]{1,200}$/;

export function parseCredentials(text: string): Credentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined; // the caller says what it was reading
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { userId, accountId, apiKey } = value as Record<string, unknown>;
  const ok = [userId, accountId, apiKey].every((v) => typeof v === 'string' && SAFE.test(v));
  return ok ? { userId: userId as string, accountId: accountId as string, apiKey: apiKey as string } : undefined;
}

async function accountExists(databaseUrl: string, accountId: string): Promise<boolean> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM accounts WHERE id::text = $1', [accountId]);
    return (rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

function runCli(cliMain: string, env: Record<string, string | undefined>, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [cliMain, 'bootstrap', '--json'],
      { env, cwd, timeout: 60000 },
      (err, stdout, stderr) => {
        if (err) {
          const detail = stderr.trim().split('\n').slice(-3).join(' | ') || err.message;
          reject(new DevstackError(`utm bootstrap failed: ${detail}`));
        } else {
          resolve(stdout);
        }
      },
    );
  });
}

export interface BootstrapOptions {
  dataDir: string;
  databaseUrl: string;
  cliMain: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/**
 * The demo user, PAPER account and key: reused from `<dataDir>/bootstrap.json` while that
 * account exists in the database, else made by `utm bootstrap --json` and saved (0600).
 * Undefined (with a message) when the CLI is not built.
 */
export async function ensureBootstrap(
  opts: BootstrapOptions,
): Promise<{ credentials: Credentials; reused: boolean } | undefined> {
  const file = path.join(opts.dataDir, 'bootstrap.json');
  if (existsSync(file)) {
    const saved = parseCredentials(readFileSync(file, 'utf8'));
    if (!saved) {
      say(`${file} is not valid; bootstrapping again`);
    } else {
      try {
        if (await accountExists(opts.databaseUrl, saved.accountId)) return { credentials: saved, reused: true };
        say('the saved demo account is not in this database; bootstrapping again');
      } catch (err) {
        say(`could not look up the saved demo account: ${errorMessage(err)}; bootstrapping again`);
      }
    }
  }
  if (!existsSync(opts.cliMain)) {
    say(`${opts.cliMain} not found (the CLI is not built): no demo credentials`);
    return undefined;
  }
  const stdout = await runCli(opts.cliMain, opts.env, opts.cwd);
  const credentials = parseCredentials(stdout.trim());
  if (!credentials) throw new DevstackError('utm bootstrap --json did not print {"userId","accountId","apiKey"}');
  mkdirSync(opts.dataDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync's mode applies only when it creates the file
  return { credentials, reused: false };
}

/** The banner's signal: its symbol, and the paper market's price for it on a first start. */
export const BANNER_SYMBOL = 'AAPL';
export const BANNER_PRICE = '150.25';

/** "150.2500000000" → "150.25" (NUMERIC as text, trailing zeros dropped; never through a float). */
function plainDecimal(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/**
 * The paper market's price of the banner's symbol, so that the banner's curl fills at once:
 * on a first start (`seed`) it is set to BANNER_PRICE unless the database already quotes the
 * symbol (a shared Postgres keeps its market). Returns the quote now held, or null.
 */
export async function bannerQuote(databaseUrl: string, seed: boolean): Promise<string | null> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    if (seed) {
      // Like `utm quote set`: the quotes table's trigger tells the paper engine.
      await client.query('INSERT INTO quotes (symbol, price) VALUES ($1, $2) ON CONFLICT (symbol) DO NOTHING', [
        BANNER_SYMBOL,
        BANNER_PRICE,
      ]);
    }
    const { rows } = await client.query<{ price: string }>(
      'SELECT price::text AS price FROM quotes WHERE symbol = $1',
      [BANNER_SYMBOL],
    );
    return rows[0] ? plainDecimal(rows[0].price) : null;
  } finally {
    await client.end();
  }
}

/** What `npm start` prints once everything is ready; `quote`: the paper market's price of the banner's symbol. */
export function banner(
  c: Credentials,
  gatewayUrl: string,
  savedIn: string,
  readme: string | undefined,
  quote: string | null,
): string[] {
  const key = `-H 'X-API-Key: ${c.apiKey}'`;
  // `price` is the sender's reference price (TradingView's {{close}}): it sizes and checks the
  // order when no quote is known.
  const body = JSON.stringify({
    symbol: BANNER_SYMBOL,
    action: 'openLong',
    accountId: c.accountId,
    quantity: 10,
    price: Number(BANNER_PRICE),
  });
  const market =
    quote === null
      ? [
          `The paper market has no price for ${BANNER_SYMBOL} yet: the order waits (SUBMITTED) until you give it one:`,
          `  npm run utm -- quote set --symbol ${BANNER_SYMBOL} --price ${BANNER_PRICE}`,
        ]
      : [
          `The paper market quotes ${BANNER_SYMBOL} at ${quote}: the order fills at once (FILLED). Move the price with:`,
          `  npm run utm -- quote set --symbol ${BANNER_SYMBOL} --price <price>`,
        ];
  return [
    '',
    `Demo credentials (PAPER account; saved in ${savedIn}):`,
    `  userId:    ${c.userId}`,
    `  accountId: ${c.accountId}`,
    `  apiKey:    ${c.apiKey}`,
    '',
    'Send a signal:',
    `  curl -sS -X POST ${gatewayUrl}/api/v1/signals/ingest -H 'Content-Type: application/json' ${key} -d '${body}'`,
    '',
    ...market,
    '',
    'Read it back (replace <signalId> with the signalId from the answer above):',
    `  curl -sS ${gatewayUrl}/api/v1/signals/<signalId> ${key}`,
    '',
    'Or watch it in the web console (sign in by pasting the apiKey above):',
    `  ${gatewayUrl}/app/`,
    '',
    ...(readme ? [`More in ${readme}`, ''] : []),
  ];
}
