import type { Command } from 'commander';
import {
  createRiskSettingsValidator,
  RISK_SETTING_NAMES,
  riskSettingsView,
  type AccountRiskSettingsChange,
  type RiskSettingsView,
} from '@utm/contracts';
import { setRiskSettings } from '@utm/db';
import { act, type Ctx } from '../context';
import { CliError } from '../errors';
import { uuidFlag } from '../validate';

/**
 * `utm account risk --account A [--max-signal-age-seconds N …]`: shows an account's risk
 * settings, changing the ones given first (`none` removes one). The same document, rules and
 * write path (@utm/db setRiskSettings) as the HTTP API's; only settings the platform already
 * acts on have a flag.
 */
const FLAGS = [
  {
    flag: '--max-signal-age-seconds',
    key: 'maxSignalAgeSeconds',
    kind: 'integer',
    help: 'refuse a signal decided more than N seconds after its sentAt (STALE_SIGNAL)',
  },
  {
    flag: '--max-order-notional',
    key: 'maxOrderNotional',
    kind: 'decimal',
    help: 'refuse an order worth more (MAX_ORDER_NOTIONAL)',
  },
  {
    flag: '--max-position-quantity',
    key: 'maxPositionQuantity',
    kind: 'decimal',
    help: 'refuse a signal that would make a position larger (MAX_POSITION)',
  },
  {
    flag: '--allowed-symbols',
    key: 'allowedSymbols',
    kind: 'list',
    help: 'comma-separated tickers the account may open (SYMBOL_NOT_ALLOWED for others)',
  },
] as const satisfies readonly {
  flag: string;
  key: keyof AccountRiskSettingsChange;
  kind: 'integer' | 'decimal' | 'list';
  help: string;
}[];

type Opts = { account: string } & Partial<Record<string, string>>;
const optionName = (flag: string) => flag.slice(2).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());

/** A flag's text as the settings document's value: `none` is null; integers and lists parsed; decimals kept as text. */
function valueOf(kind: (typeof FLAGS)[number]['kind'], text: string): unknown {
  const v = text.trim();
  if (v.toLowerCase() === 'none') return null;
  if (kind === 'integer') return /^\d{1,15}$/.test(v) ? Number(v) : v;
  if (kind === 'list')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  return v;
}

const validate = createRiskSettingsValidator();

function human(view: RiskSettingsView): string {
  const lines = RISK_SETTING_NAMES.map((key) => {
    const v = view[key];
    const shown = v === null ? 'not set' : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return `  ${key}: ${shown}`;
  });
  return [`risk settings of account ${view.accountId}:`, ...lines].join('\n');
}

export function registerRiskCommand(account: Command, ctx: Ctx): void {
  const cmd = account
    .command('risk')
    .description('show an account\'s risk settings, changing the ones given ("none" removes one) → the settings')
    .requiredOption('--account <accountId>', 'the account');
  for (const f of FLAGS) cmd.option(`${f.flag} <value>`, `${f.help}; "none" removes it`);
  cmd.action(
    act(ctx, async (opts: Opts) => {
      const accountId = uuidFlag('--account', opts.account);
      const change: Record<string, unknown> = {};
      for (const f of FLAGS) {
        const text = opts[optionName(f.flag)];
        if (text !== undefined) change[f.key] = valueOf(f.kind, text);
      }
      const checked = validate(change);
      if (!checked.ok) {
        const details = checked.details.map((d) => {
          const flag = FLAGS.find((f) => d.field === f.key || d.field.startsWith(`${f.key}.`))?.flag ?? d.field;
          return { field: flag, message: d.message };
        });
        throw new CliError('VALIDATION_ERROR', details.map((d) => `${d.field} ${d.message}`).join('; '), details);
      }
      const result = await setRiskSettings(ctx.prisma(), accountId, checked.value);
      if (!result) throw new CliError('ACCOUNT_NOT_FOUND', `account ${accountId} not found`);
      const view = riskSettingsView(accountId, result.settings);
      return { json: view, human: human(view) };
    }),
  );
}
