import type { PoolClient } from 'pg';
import { loadInstrumentRules } from '@utm/db';
import { legsForBroker } from '../domain/exit-legs';
import type { ExitTerms } from '../domain/fill';
import type { ExecOrder } from '../domain/order';
import type { LegVenue } from './cancel-leg';

/**
 * How an entry's exits are priced and placed at its broker: the broker's terms for the
 * instrument (tick, what a stop loss is sent as, what groups; from instrument_rules) and the
 * routing of each rule. Every computation of the entry's legs — when it fills, fills further, or
 * a leg settles — takes them from here, so that a leg is never re-priced on another tick than
 * it was placed at. (The paper engine has none: its exits are priced as the processor validated.)
 */
export async function exitTermsOf(client: PoolClient, entry: ExecOrder, venue: LegVenue): Promise<ExitTerms> {
  const caps = venue.broker.capabilities;
  const instrument = caps.exitTerms
    ? ((await loadInstrumentRules(client, venue.broker.name, [entry.symbol])).get(entry.symbol) ?? null)
    : null;
  const terms = caps.exitTerms?.(entry.symbol, instrument);
  return {
    terms: terms ? { tickSize: terms.tick, stopType: terms.stopType } : {},
    routing: legsForBroker(caps, entry.exitRules, terms),
  };
}
