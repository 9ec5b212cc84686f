import { EnvReader, type Env } from './env';

/**
 * `npm run alpaca:smoke`: a user's own Alpaca paper keys, under the names Alpaca's SDKs read
 * (APCA_API_KEY_ID, APCA_API_SECRET_KEY, APCA_API_BASE_URL). The live endpoint is refused unless
 * ALPACA_SMOKE_ALLOW_LIVE=true: the smoke run places (tiny) orders.
 */
export interface AlpacaSmokeConfig {
  keyId: string;
  secretKey: string;
  baseUrl: string;
  allowLive: boolean;
  /** Bound on one request. */
  timeoutMs: number;
  /** How long to wait for a fill or a cancel to become final. */
  settleMs: number;
}

export const ALPACA_LIVE_HOST = 'api.alpaca.markets';

export function loadAlpacaSmokeConfig(env: Env = process.env): AlpacaSmokeConfig {
  const r = new EnvReader(env);
  const cfg: AlpacaSmokeConfig = {
    keyId: r.str('APCA_API_KEY_ID'),
    secretKey: r.str('APCA_API_SECRET_KEY'),
    baseUrl: r.url('APCA_API_BASE_URL', ['https:', 'http:'], 'https://paper-api.alpaca.markets'),
    allowLive: r.bool('ALPACA_SMOKE_ALLOW_LIVE', false),
    timeoutMs: r.int('ALPACA_SMOKE_TIMEOUT_MS', 10000, { min: 100, max: 120000 }),
    settleMs: r.int('ALPACA_SMOKE_SETTLE_MS', 15000, { min: 100, max: 600000 }),
  };
  if (!r.problems.length && new URL(cfg.baseUrl).host === ALPACA_LIVE_HOST && !cfg.allowLive)
    r.problems.push(
      'APCA_API_BASE_URL is the live endpoint: the smoke run places orders; use a paper account (or ALPACA_SMOKE_ALLOW_LIVE=true)',
    );
  r.done();
  return cfg;
}
