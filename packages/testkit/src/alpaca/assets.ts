/**
 * The assets of the Alpaca contract server: GET /v2/assets/{symbol_or_asset_id} and GET /v2/assets.
 *
 * Sources (alpacahq/alpaca-docs):
 * - data/webapi/endpoints/assets.yaml: the two endpoints, 404 "Asset is not found".
 * - data/webapi/entities/asset-v2.yaml, asset-crypto-v2.yaml: the entity (`class`, `exchange`,
 *   `status`, `tradable`, `shortable`, `easy_to_borrow`, `fractionable`; for crypto only
 *   `min_order_size`, `min_trade_increment`, `price_increment`, decimals as strings).
 * - content/trading/crypto-trading.md: the BTC/USD example (min_order_size "0.0001",
 *   min_trade_increment "0.0001", price_increment "1"); "BTC/USD was previously referred to as
 *   BTCUSD. Our API has made proper changes to support the legacy convention as well".
 * - alpaca-py TradingClient.get_asset sends the symbol as is in the path ("/assets/BTC/USD"), so
 *   a crypto pair's slash may arrive raw, encoded (%2F) or dropped (legacy "BTCUSD"): all three
 *   are read.
 *
 * A test convenience, not Alpaca's behaviour: any well-formed equity symbol is an active,
 * tradable, shortable, easy-to-borrow, fractionable NASDAQ asset unless a test says otherwise
 * (setAsset); a crypto pair is known only if listed here or set by a test.
 */
import { createHash } from 'node:crypto';

export interface ServerAsset {
  id: string;
  class: 'us_equity' | 'crypto';
  exchange: string;
  symbol: string;
  name: string;
  status: 'active' | 'inactive';
  tradable: boolean;
  marginable: boolean;
  shortable: boolean;
  easy_to_borrow: boolean;
  fractionable: boolean;
  /** Crypto only (asset-crypto-v2.yaml). */
  min_order_size?: string;
  min_trade_increment?: string;
  price_increment?: string;
}

const EQUITY = /^[A-Z][A-Z0-9.]{0,14}$/;

/** Crypto pairs the server lists by default: the documented example, and one more of the same shape. */
const CRYPTO: Record<string, Pick<ServerAsset, 'min_order_size' | 'min_trade_increment' | 'price_increment'>> = {
  'BTC/USD': { min_order_size: '0.0001', min_trade_increment: '0.0001', price_increment: '1' },
  'ETH/USD': { min_order_size: '0.001', min_trade_increment: '0.001', price_increment: '0.1' },
};

/** A stable UUID for a symbol, so an asset's id is the same across calls. */
function assetId(symbol: string): string {
  const h = createHash('sha256').update(symbol).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class AssetBook {
  private readonly overrides = new Map<string, Partial<ServerAsset>>();

  /** Changes (or creates) an asset for the rest of the test. */
  set(symbol: string, fields: Partial<ServerAsset>): void {
    this.overrides.set(symbol, { ...this.overrides.get(symbol), ...fields });
  }

  /** The asset by symbol (any of the crypto spellings) or id; null: 404. */
  find(ref: string): ServerAsset | null {
    const symbol = this.symbolOf(ref);
    return symbol ? this.build(symbol) : null;
  }

  /** Every asset the server knows by name (the listed crypto pairs and the ones tests set), filtered. */
  list(q: URLSearchParams): ServerAsset[] {
    const assetClass = q.get('asset_class') ?? 'us_equity';
    const status = q.get('status');
    const symbols = new Set([...Object.keys(CRYPTO), ...this.overrides.keys()]);
    return [...symbols]
      .map((s) => this.build(s))
      .filter((a): a is ServerAsset => a !== null && a.class === assetClass && (!status || a.status === status));
  }

  private symbolOf(ref: string): string | null {
    const known = [...Object.keys(CRYPTO), ...this.overrides.keys()];
    const byId = known.find((s) => assetId(s) === ref);
    if (byId) return byId;
    if (ref.includes('/')) return known.includes(ref) ? ref : null;
    const legacy = known.find((s) => s.includes('/') && s.replace('/', '') === ref);
    if (legacy) return legacy;
    return EQUITY.test(ref) || this.overrides.has(ref) ? ref : null;
  }

  private build(symbol: string): ServerAsset | null {
    const crypto = symbol.includes('/');
    const over = this.overrides.get(symbol) ?? {};
    if (crypto && !CRYPTO[symbol] && !this.overrides.has(symbol)) return null;
    const base: ServerAsset = crypto
      ? {
          id: assetId(symbol),
          class: 'crypto',
          exchange: 'CRYPTO',
          symbol,
          name: `${symbol} pair`,
          status: 'active',
          tradable: true,
          marginable: false,
          // crypto-trading.md: "Cryptocurrencies are not shortable."
          shortable: false,
          easy_to_borrow: false,
          // "All cryptocurrency assets are fractionable"
          fractionable: true,
          ...(CRYPTO[symbol] ?? { min_order_size: '0.0001', min_trade_increment: '0.0001', price_increment: '0.01' }),
        }
      : {
          id: assetId(symbol),
          class: 'us_equity',
          exchange: 'NASDAQ',
          symbol,
          name: `${symbol} Common Stock`,
          status: 'active',
          tradable: true,
          marginable: true,
          shortable: true,
          easy_to_borrow: true,
          fractionable: true,
        };
    return { ...base, ...over, symbol, id: base.id };
  }
}
