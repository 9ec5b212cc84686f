import type { Action, ExitRules } from '@utm/contracts';

/**
 * What a kind of venue can hold, judged when a signal is decided, so that nothing is sent that
 * the venue will refuse or cannot protect. A crypto exchange's spot market (ccxt) is long only:
 * what is sold must be held. Exits rest at the venue or not at all until the platform holds
 * exits itself: Binance spot holds a stop loss (STOP_LOSS), a take profit (LIMIT) and the pair
 * of them as one OCO order list, but has no trailing stop by amount nor one that could rest
 * beside an OCO on the same balance.
 */
export interface VenueRules {
  longOnly: boolean;
  trailingStop: boolean;
}

export type VenueKind = 'paper' | 'alpaca' | 'ccxt';

const RULES: Record<VenueKind, VenueRules> = {
  paper: { longOnly: false, trailingStop: true },
  alpaca: { longOnly: false, trailingStop: true },
  ccxt: { longOnly: true, trailingStop: false },
};

export function venueRulesOf(kind: VenueKind): VenueRules {
  return RULES[kind];
}

export interface SpotRefusal {
  code: 'NOT_SHORTABLE' | 'EXITS_NOT_SUPPORTED';
  message: string;
}

/** Why `action` with `exitRules` cannot be carried out at a venue with these rules, or null. */
export function venueRefusal(
  kind: VenueKind,
  action: Action,
  symbol: string,
  exitRules: ExitRules | undefined,
): SpotRefusal | null {
  const rules = RULES[kind];
  if (rules.longOnly && (action === 'openShort' || action === 'reverseToShort'))
    return {
      code: 'NOT_SHORTABLE',
      message: `${action} refused: a ${kind} spot account is long only (it can sell only the ${symbol} it holds); use closeLong to sell`,
    };
  if (!rules.trailingStop && exitRules?.trailingStop)
    return {
      code: 'EXITS_NOT_SUPPORTED',
      message: `exitRules.trailingStop refused: a ${kind} account cannot rest a trailing stop at the exchange, and the platform does not hold exits itself yet; use stopLoss and takeProfit`,
    };
  return null;
}
