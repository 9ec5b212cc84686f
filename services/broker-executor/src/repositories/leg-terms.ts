import type { PoolClient } from 'pg';
import { loadInstrumentRules } from '@utm/db';
import { legsForBroker, type EntryFill, type ExitLegsRouting } from '../domain/exit-legs';
import type { LegVenue } from './leg-resize';
import type { ExecOrder } from './orders';

/**
 * How an entry's exits are priced and placed at its venue: the broker's terms for the instrument
 * (tick, what a stop loss is sent as, what groups; from instrument_rules) and the routing of each
 * rule. Every computation of the entry's legs — when it fills, fills further, or a leg settles —
 * takes them from here, so that a leg is never re-priced on another tick than it was placed at.
 */
export async function exitTermsOf(
  client: PoolClient,
  entry: ExecOrder,
  venue: LegVenue,
): Promise<{ fill: EntryFill | null; routing: ExitLegsRouting | null }> {
  const caps = venue.broker?.capabilities;
  let fill: EntryFill | null = entry.avgFillPrice
    ? {
        entrySide: entry.side,
        filledQuantity: entry.filledQuantity,
        avgFillPrice: entry.avgFillPrice,
        exitRules: entry.exitRules,
      }
    : null;
  if (venue.mode !== 'broker' || !caps || !venue.broker) return { fill, routing: null };
  const instrument = caps.exitTerms
    ? ((await loadInstrumentRules(client, venue.broker.name, [entry.symbol])).get(entry.symbol) ?? null)
    : null;
  const terms = caps.exitTerms?.(entry.symbol, instrument);
  if (fill && terms) fill = { ...fill, tickSize: terms.tick, stopType: terms.stopType };
  return { fill, routing: legsForBroker(caps, entry.exitRules, terms) };
}
