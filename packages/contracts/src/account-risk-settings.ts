import type Ajv from 'ajv';
import { type DecimalInput } from './decimal-text';
import { addIngestKeywords } from './ingest-keywords';
import { createAjv, createValidator, type ValidationResult } from './ingest-validator';
import { decimalField, MAX_NUMBER, SYMBOL_PATTERN } from './ingest-schema';
import { dec, type DecimalLike } from './read-views';

/**
 * An account's risk settings, as `utm account risk` (and GET/PUT /api/v1/accounts/:id/risk)
 * read and write them: every setting of the account in one document, each optional. In a
 * change, a setting left out stays as it is and `null` removes it. Stored one row per
 * account (table account_risk_settings), a column per setting.
 */
export const WEEKDAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const CLOCK_TIME_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';

export interface TradingWindow {
  days: Weekday[];
  /** "HH:MM" in the settings' timezone. */
  start: string;
  end: string;
}

export interface AccountRiskSettingsChange {
  /** Halt and flatten when equity falls this far below its value at the start of the trading day. */
  maxDailyLoss?: DecimalInput | null;
  /** After a risk halt, resume at the next trading day. */
  autoResume?: boolean | null;
  /** Opening signals beyond this many in a trading day: REJECTED MAX_TRADES. */
  maxTradesPerDay?: number | null;
  /** An opening signal for a new symbol while this many positions are open: REJECTED MAX_OPEN_POSITIONS. */
  maxOpenPositions?: number | null;
  /** Opening signals outside every window: REJECTED OUTSIDE_TRADING_WINDOW. */
  tradingWindows?: TradingWindow[] | null;
  /** IANA time zone of tradingWindows and flattenAt ("America/New_York"). */
  timezone?: string | null;
  /** "HH:MM": each trading day, open entries cancelled and positions closed. */
  flattenAt?: string | null;
  /** A signal decided more than this many seconds after its sentAt: REJECTED STALE_SIGNAL. */
  maxSignalAgeSeconds?: number | null;
  /** An order worth more: REJECTED MAX_ORDER_NOTIONAL. */
  maxOrderNotional?: DecimalInput | null;
  /** A position that would grow larger: REJECTED MAX_POSITION. */
  maxPositionQuantity?: DecimalInput | null;
  /** Only these tickers may be opened (empty or null: every symbol). */
  allowedSymbols?: string[] | null;
}

export const RISK_SETTING_NAMES = [
  'maxDailyLoss',
  'autoResume',
  'maxTradesPerDay',
  'maxOpenPositions',
  'tradingWindows',
  'timezone',
  'flattenAt',
  'maxSignalAgeSeconds',
  'maxOrderNotional',
  'maxPositionQuantity',
  'allowedSymbols',
] as const satisfies readonly (keyof AccountRiskSettingsChange)[];

/** A setting's value, or null to remove it. */
const orNull = (schema: Record<string, unknown>) => ({ anyOf: [schema, { type: 'null' }] });
const count = (max: number) => ({ type: 'integer', minimum: 1, maximum: max });
/** One year: a signal older than that is not one anybody means to trade. */
export const MAX_SIGNAL_AGE_SECONDS = 31_536_000;

export const accountRiskSettingsSchema = {
  $id: 'https://schemas.utm.dev/account-risk-settings.json',
  title: 'AccountRiskSettings',
  type: 'object',
  additionalProperties: false,
  properties: {
    maxDailyLoss: orNull(decimalField({ exclusiveMinimum: 0, maximum: MAX_NUMBER })),
    autoResume: orNull({ type: 'boolean' }),
    maxTradesPerDay: orNull(count(1_000_000)),
    maxOpenPositions: orNull(count(10_000)),
    tradingWindows: orNull({
      type: 'array',
      minItems: 1,
      maxItems: 21,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'start', 'end'],
        properties: {
          days: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', enum: WEEKDAYS } },
          start: { type: 'string', pattern: CLOCK_TIME_PATTERN },
          end: { type: 'string', pattern: CLOCK_TIME_PATTERN },
        },
      },
    }),
    timezone: orNull({ type: 'string', minLength: 1, maxLength: 64, 'x-time-zone': true }),
    flattenAt: orNull({ type: 'string', pattern: CLOCK_TIME_PATTERN }),
    maxSignalAgeSeconds: orNull(count(MAX_SIGNAL_AGE_SECONDS)),
    maxOrderNotional: orNull(decimalField({ exclusiveMinimum: 0, maximum: MAX_NUMBER })),
    maxPositionQuantity: orNull(decimalField({ exclusiveMinimum: 0, maximum: MAX_NUMBER })),
    allowedSymbols: orNull({
      type: 'array',
      maxItems: 1000,
      uniqueItems: true,
      items: { type: 'string', pattern: SYMBOL_PATTERN },
    }),
  },
} as const;

function addTimeZoneKeyword(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: 'x-time-zone',
    type: 'string',
    schemaType: 'boolean',
    errors: true,
    validate: function xTimeZone(enabled: boolean, data: string): boolean {
      const self = xTimeZone as unknown as { errors?: object[] };
      if (!enabled) return true;
      try {
        new Intl.DateTimeFormat('en-US', { timeZone: data });
        return true;
      } catch {
        const message = 'must be an IANA time zone such as "America/New_York"';
        self.errors = [{ keyword: 'x-time-zone', message, params: { message } }];
        return false;
      }
    },
  });
  return ajv;
}

/** Validates a change of settings (null removes one). Field paths as for ingest. */
export function createRiskSettingsValidator(): (data: unknown) => ValidationResult<AccountRiskSettingsChange> {
  const ajv = addTimeZoneKeyword(addIngestKeywords(createAjv()));
  const validate = createValidator<AccountRiskSettingsChange>(ajv.compile(accountRiskSettingsSchema));
  return (data) => {
    const r = validate(data);
    // anyOf [value, null] reports the null branch's "must be of type null" beside the real reason.
    return r.ok ? r : { ok: false, details: r.details.filter((d) => d.message !== 'must be of type null') };
  };
}

/** A stored row of settings (column values; decimals as the database returns them). */
export interface RiskSettingsRow {
  maxDailyLoss: DecimalLike | null;
  autoResume: boolean | null;
  maxTradesPerDay: number | null;
  maxOpenPositions: number | null;
  tradingWindows: unknown;
  timezone: string | null;
  flattenAt: string | null;
  maxSignalAgeSeconds: number | null;
  maxOrderNotional: DecimalLike | null;
  maxPositionQuantity: DecimalLike | null;
  allowedSymbols: string[] | null;
}

/** Every setting, null where not set; decimals as strings. */
export function riskSettingsView(accountId: string, row: RiskSettingsRow | null) {
  return {
    accountId,
    maxDailyLoss: row ? dec(row.maxDailyLoss) : null,
    autoResume: row?.autoResume ?? null,
    maxTradesPerDay: row?.maxTradesPerDay ?? null,
    maxOpenPositions: row?.maxOpenPositions ?? null,
    tradingWindows: (row?.tradingWindows ?? null) as TradingWindow[] | null,
    timezone: row?.timezone ?? null,
    flattenAt: row?.flattenAt ?? null,
    maxSignalAgeSeconds: row?.maxSignalAgeSeconds ?? null,
    maxOrderNotional: row ? dec(row.maxOrderNotional) : null,
    maxPositionQuantity: row ? dec(row.maxPositionQuantity) : null,
    allowedSymbols: row?.allowedSymbols?.length ? row.allowedSymbols : null,
  };
}

export type RiskSettingsView = ReturnType<typeof riskSettingsView>;
