import type { DecimalInput, NormalizedIngestRequest } from '@utm/contracts';
import { Decimal } from '@utm/db';
import {
  ALPACA_VENUE,
  alpacaFractionalClose,
  alpacaOrderTerms,
  isAlpacaCrypto,
  qty,
  roundOrderPrices,
  stopLimitPrice,
  type OrderTerms,
} from '@utm/trading';
import type { LegPlan } from './position-rules';
import { reject, type AccountSnapshot, type OrderDraft, type Rejection, type SymbolSnapshot } from './types';

/**
 * The order as the account's venue will take it, decided before sizing: its type, time in force
 * and prices (on the venue's tick), the quantity step and minimum, and the refusals the venue's
 * documented rules make certain (`@utm/trading`'s alpaca.ts says which, and why). The paper
 * engine takes the signal as it is.
 */
export interface VenueOrder {
  type: OrderDraft['type'];
  timeInForce: OrderDraft['timeInForce'];
  limitPrice: Decimal | null;
  stopPrice: Decimal | null;
  quantityStep: Decimal;
  minQuantity: Decimal | null;
  /** Said on the signal as events (what was changed from what it asked). */
  notes: string[];
  /** Alpaca's terms, kept for the close's fractional check. */
  terms: OrderTerms | null;
}

const dec = (v: DecimalInput | undefined): Decimal | null => (v === undefined ? null : new Decimal(v));

export function venueOrder(
  req: NormalizedIngestRequest,
  account: AccountSnapshot,
  sym: SymbolSnapshot,
  plan: LegPlan,
  timeInForceGiven: boolean,
): VenueOrder | Rejection {
  const asked: VenueOrder = {
    type: req.orderType,
    timeInForce: req.timeInForce,
    limitPrice: dec(req.limitPrice),
    stopPrice: dec(req.stopPrice),
    quantityStep: sym.instrument.quantityStep,
    minQuantity: null,
    notes: [],
    terms: null,
  };
  // A crypto exchange's spot market: its lot step and minimum, from what it said of the instrument.
  if (sym.instrument.venue?.startsWith('ccxt:')) {
    const rules = sym.instrument.rules ?? null;
    return {
      ...asked,
      quantityStep: rules?.quantityStep ?? asked.quantityStep,
      minQuantity: rules?.minQuantity ?? null,
    };
  }
  if (sym.instrument.venue !== ALPACA_VENUE) return asked;
  const rules = sym.instrument.rules ?? null;
  const side = plan.open?.side ?? plan.close?.side ?? 'BUY';
  // A sell opens or adds to a short unless it closes a long first (a reverse's opening sell
  // comes after its close, from flat).
  const opensShort = plan.open?.side === 'SELL';
  if (plan.open && !plan.close && sym.openExitOrderIds.length > 0)
    return reject(
      'WASH_TRADE',
      `Alpaca refuses an order opposite the position's working exit orders (a potential wash trade): ${req.action} cannot add to ${req.symbol} while its exits work; close or reverse the position instead`,
    );
  if (plan.open && req.exitRules && sym.openEntryOrders.some((o) => o.side === plan.open?.side))
    return reject(
      'WASH_TRADE',
      `Alpaca refuses exit orders while an entry on the other side works (a potential wash trade): another ${req.symbol} entry is still working, so this entry's exits could not be placed`,
    );
  const terms = alpacaOrderTerms(
    {
      symbol: req.symbol,
      side,
      type: req.orderType,
      timeInForce: timeInForceGiven ? req.timeInForce : undefined,
      opensShort,
      exitRules: plan.open ? req.exitRules : null,
      allowFractional: account.allowFractional,
    },
    rules,
  );
  if (!terms.ok) return reject(terms.code, terms.message);
  const notes = [...terms.notes];
  const prices = roundOrderPrices(side, { limit: asked.limitPrice, stop: asked.stopPrice }, terms.tick);
  for (const [name, before, after] of [
    ['limit', asked.limitPrice, prices.limit],
    ['stop', asked.stopPrice, prices.stop],
  ] as const) {
    if (before && after && !before.eq(after))
      notes.push(
        `${name} price ${before.toFixed()} rounded to ${after.toFixed()}, on Alpaca's tick (never a worse price)`,
      );
  }
  const limitPrice =
    terms.type === 'STOP_LIMIT' && req.orderType === 'STOP' && prices.stop
      ? stopLimitPrice(side, prices.stop, terms.tick)
      : prices.limit;
  return {
    type: terms.type,
    timeInForce: terms.timeInForce,
    limitPrice,
    stopPrice: prices.stop,
    quantityStep: terms.quantityStep,
    minQuantity: terms.minQuantity,
    notes,
    terms,
  };
}

/** A closing quantity the venue takes only in some orders (a fraction at Alpaca: DAY market or limit). */
export function closeTerms(
  venue: VenueOrder,
  quantity: Decimal,
  symbol: string,
  sym: SymbolSnapshot,
): { timeInForce: OrderDraft['timeInForce']; note: string | null } | Rejection {
  if (!venue.terms) return { timeInForce: venue.timeInForce, note: null };
  const r = alpacaFractionalClose(quantity, venue.terms, isAlpacaCrypto(symbol, sym.instrument.rules ?? null));
  return 'ok' in r ? reject(r.code, r.message) : r;
}

/** An opening quantity below the venue's minimum for the instrument. */
export function belowMinimum(venue: VenueOrder, quantity: Decimal, symbol: string): Rejection | null {
  if (!venue.minQuantity || quantity.gte(venue.minQuantity)) return null;
  return reject(
    'QUANTITY_INCREMENT',
    `${qty(quantity)} ${symbol} is below ${venue.terms ? "Alpaca's" : "the exchange's"} minimum order size of ${qty(venue.minQuantity)}`,
  );
}

/**
 * A crypto exchange's minimum order value (Binance's NOTIONAL / MIN_NOTIONAL filter, kept in
 * instrument_rules): an order worth less is refused before it exists.
 */
export function belowNotional(
  instrument: SymbolSnapshot['instrument'],
  quantity: Decimal,
  price: Decimal | null,
  symbol: string,
): Rejection | null {
  const min = instrument.venue?.startsWith('ccxt:') ? instrument.rules?.minNotional : null;
  if (!min || !price) return null;
  const notional = quantity.times(price);
  if (notional.gte(min)) return null;
  return reject(
    'MIN_NOTIONAL',
    `Order value ${qty(quantity)} × ${price.toFixed()} = ${notional.toFixed()} is below the ${instrument.venue ?? 'exchange'} minimum notional for ${symbol}, ${min.toFixed()}`,
  );
}
