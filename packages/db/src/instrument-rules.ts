import type { Pool, PoolClient } from 'pg';
import { Decimal } from './decimal';

/**
 * What a venue takes for one instrument, as the venue's own API says (the instrument_rules
 * table): the one home of lot size, tick size, minimums and the short/fraction flags, for every
 * venue. A venue's adapter writes what it learned (Alpaca: GET /v2/assets/{symbol}; a ccxt
 * exchange: its markets); sizing and pricing read it. A null number means "the venue's default
 * rule" (for Alpaca equities: whole shares unless fractionable, the price-dependent tick).
 */
export interface InstrumentRules {
  /** "alpaca", "ccxt:binance", …: one venue's catalogue, whatever the account. */
  venue: string;
  symbol: string;
  /** As the venue names it: "us_equity", "crypto", "spot", … */
  assetClass: string;
  tradable: boolean;
  /** Can be sold short now (Alpaca: shortable and easy_to_borrow). */
  shortable: boolean;
  fractionable: boolean;
  /** Quantities are multiples of this (lot size, min_trade_increment). */
  quantityStep: Decimal | null;
  minQuantity: Decimal | null;
  /** Prices are multiples of this (tick size, price_increment). */
  tickSize: Decimal | null;
  minNotional: Decimal | null;
  fetchedAt: Date;
}

type Queryable = Pick<Pool | PoolClient, 'query'>;

interface Row {
  venue: string;
  symbol: string;
  asset_class: string;
  tradable: boolean;
  shortable: boolean;
  fractionable: boolean;
  quantity_step: string | null;
  min_quantity: string | null;
  tick_size: string | null;
  min_notional: string | null;
  fetched_at: Date;
}

const dec = (v: string | null): Decimal | null => (v === null ? null : new Decimal(v));
const text = (v: Decimal | null): string | null => (v === null ? null : v.toFixed());

export function toInstrumentRules(r: Row): InstrumentRules {
  return {
    venue: r.venue,
    symbol: r.symbol,
    assetClass: r.asset_class,
    tradable: r.tradable,
    shortable: r.shortable,
    fractionable: r.fractionable,
    quantityStep: dec(r.quantity_step),
    minQuantity: dec(r.min_quantity),
    tickSize: dec(r.tick_size),
    minNotional: dec(r.min_notional),
    fetchedAt: r.fetched_at,
  };
}

/** The column list, for queries that read rules along with other things. */
export const INSTRUMENT_RULE_COLUMNS = `venue, symbol, asset_class, tradable, shortable, fractionable, quantity_step::text,
  min_quantity::text, tick_size::text, min_notional::text, fetched_at`;

/** The venue's rules for these symbols (those it has). */
export async function loadInstrumentRules(
  db: Queryable,
  venue: string,
  symbols: string[],
): Promise<Map<string, InstrumentRules>> {
  const { rows } = await db.query<Row>({
    name: 'instrument-rules-load',
    text: `SELECT ${INSTRUMENT_RULE_COLUMNS} FROM instrument_rules WHERE venue = $1 AND symbol = ANY($2::text[])`,
    values: [venue, symbols],
  });
  return new Map(rows.map((r) => [r.symbol, toInstrumentRules(r)]));
}

/** Writes what the venue said (one statement for all of them); the newest answer wins. */
export async function saveInstrumentRules(db: Queryable, rules: Omit<InstrumentRules, 'fetchedAt'>[]): Promise<void> {
  if (!rules.length) return;
  const cols = [
    'venue',
    'symbol',
    'asset_class',
    'tradable',
    'shortable',
    'fractionable',
    'quantity_step',
    'min_quantity',
    'tick_size',
    'min_notional',
  ];
  await db.query(
    `INSERT INTO instrument_rules (${cols.join(', ')}, fetched_at)
     SELECT *, now() FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::bool[], $6::bool[],
                                 $7::numeric[], $8::numeric[], $9::numeric[], $10::numeric[])
     ON CONFLICT (venue, symbol) DO UPDATE SET
       ${cols
         .slice(2)
         .map((c) => `${c} = EXCLUDED.${c}`)
         .join(', ')}, fetched_at = now()`,
    [
      rules.map((r) => r.venue),
      rules.map((r) => r.symbol),
      rules.map((r) => r.assetClass),
      rules.map((r) => r.tradable),
      rules.map((r) => r.shortable),
      rules.map((r) => r.fractionable),
      rules.map((r) => text(r.quantityStep)),
      rules.map((r) => text(r.minQuantity)),
      rules.map((r) => text(r.tickSize)),
      rules.map((r) => text(r.minNotional)),
    ],
  );
}
