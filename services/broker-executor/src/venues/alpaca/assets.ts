/**
 * GET /v2/assets/{symbol_or_asset_id} read into the platform's instrument rules.
 *
 * Sources (alpacahq/alpaca-docs): data/webapi/endpoints/assets.yaml (404 "Asset is not found"),
 * data/webapi/entities/asset-v2.yaml and asset-crypto-v2.yaml (`class`, `tradable`,
 * `shortable`, `easy_to_borrow` — "the best way to check whether the name is currently available
 * to short", `fractionable`; crypto only: `min_order_size`, `min_trade_increment`,
 * `price_increment`, decimals as strings). The symbol goes into the path as alpaca-py's
 * get_asset sends it, a crypto pair's slash included ("/v2/assets/BTC/USD").
 */
import type { InstrumentRules } from '@utm/db';
import { ALPACA_VENUE } from '@utm/trading';
import { asRecord, optDecimal, optString, reqString } from './json';

export function parseAsset(value: unknown, symbol: string): Omit<InstrumentRules, 'fetchedAt'> {
  const what = 'asset';
  const a = asRecord(value, what);
  const flag = (key: string) => a[key] === true;
  const assetClass = reqString(a, 'class', what);
  return {
    venue: ALPACA_VENUE,
    // Our spelling of the symbol (the one orders use), whatever form Alpaca echoes.
    symbol,
    assetClass,
    tradable: flag('tradable') && (optString(a, 'status', what) ?? 'active') === 'active',
    shortable: flag('shortable') && flag('easy_to_borrow'),
    fractionable: flag('fractionable'),
    quantityStep: optDecimal(a, 'min_trade_increment', what),
    minQuantity: optDecimal(a, 'min_order_size', what),
    tickSize: optDecimal(a, 'price_increment', what),
    minNotional: null,
  };
}
