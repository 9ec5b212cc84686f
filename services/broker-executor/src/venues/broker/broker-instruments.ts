import type { Pool } from 'pg';
import { loadInstrumentRules, saveInstrumentRules, type InstrumentRules } from '@utm/db';
import type { Broker } from './types';

/** How long what a venue said of an instrument is trusted before it is asked again. */
export const INSTRUMENT_RULES_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/**
 * A venue's instrument rules for the orders about to be sent: read from instrument_rules, and
 * asked of the venue (Alpaca's assets endpoint) when missing or older than a day, then kept
 * there for the processor's sizing and for the next order. `null`: the venue has no such
 * instrument; `undefined`: unknown (a broker that cannot be asked).
 */
export class BrokerInstruments {
  constructor(
    private readonly pool: Pool,
    private readonly broker: Pick<Broker, 'name' | 'instrument'>,
    private readonly maxAgeMs = INSTRUMENT_RULES_MAX_AGE_MS,
  ) {}

  async stored(symbol: string): Promise<InstrumentRules | undefined> {
    return (await loadInstrumentRules(this.pool, this.broker.name, [symbol])).get(symbol);
  }

  async rulesFor(symbol: string): Promise<InstrumentRules | null | undefined> {
    const stored = await this.stored(symbol);
    if (!this.broker.instrument) return stored;
    if (stored && Date.now() - stored.fetchedAt.getTime() < this.maxAgeMs) return stored;
    const fresh = await this.broker.instrument(symbol);
    if (!fresh) return null;
    await saveInstrumentRules(this.pool, [fresh]);
    return { ...fresh, fetchedAt: new Date() };
  }
}
