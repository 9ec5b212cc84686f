import type { Client, Pool } from 'pg';
import type { Logger } from '@utm/logger';
import { restingPaperAccounts, symbolsResting } from '../../repositories/resting-orders';
import type { PaperVenue } from './paper-venue';

/** Accounts whose resting orders of a symbol one transaction re-evaluates at most. */
const ACCOUNTS_PER_TRANSACTION = 64;

/** The channel the quotes table's trigger notifies (prisma/migrations/…_executor). */
export const QUOTES_CHANNEL = 'utm_quotes';

export interface QuoteEngineOptions {
  /** Safety pass over every symbol with resting orders (missed notifications, DAY expiry). */
  sweepIntervalMs: number;
  onEvaluated?: (symbol: string, changed: number, ms: number) => void;
}

/**
 * Wakes the paper engine on every quote change: Postgres NOTIFY from the quotes table's
 * trigger, so any writer (`utm quote set`, a feed, a test) is heard at once. Each change
 * re-evaluates the resting paper orders of that symbol in time priority. Bursts coalesce: a
 * symbol is evaluated once per pass with its latest quote. Several executors may listen;
 * the account locks make them agree (an order re-evaluated twice changes once: the second
 * sees it as the first left it).
 */
export class QuoteEngine {
  private listener: Client | undefined;
  private readonly dirty = new Set<string>();
  private draining: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;

  constructor(
    private readonly pool: Pool,
    private readonly venue: PaperVenue,
    private readonly connect: () => Promise<Client>,
    private readonly log: Logger,
    private readonly opts: QuoteEngineOptions,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.schedule();
    this.markAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch((err: unknown) => this.log.debug('quote listener closed with an error', { err }));
    await this.draining;
  }

  get listening(): boolean {
    return this.listener !== undefined;
  }

  private async listen(): Promise<void> {
    try {
      const client = await this.connect();
      client.on('notification', (msg) => {
        if (msg.channel === QUOTES_CHANNEL && msg.payload) this.mark(msg.payload);
      });
      client.on('error', (err) => {
        this.log.warn('quote listener lost its connection; reconnecting', { err });
        this.listener = undefined;
        client.end().catch(() => undefined);
        if (!this.stopped) setTimeout(() => void this.listen().then(() => this.markAll()), 1000).unref();
      });
      await client.query(`LISTEN ${QUOTES_CHANNEL}`);
      this.listener = client;
    } catch (err) {
      this.log.warn('quote listener could not connect; retrying (the periodic pass still runs)', { err });
      if (!this.stopped) setTimeout(() => void this.listen(), 1000).unref();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.markAll();
      this.schedule();
    }, this.opts.sweepIntervalMs);
    this.timer.unref();
  }

  /** Every symbol with resting paper orders (after a reconnect, and periodically). */
  private markAll(): void {
    symbolsResting(this.pool).then(
      (symbols) => symbols.forEach((symbol) => this.mark(symbol)),
      (err: unknown) => this.log.warn('could not list symbols with resting orders', { err }),
    );
  }

  mark(symbol: string): void {
    this.dirty.add(symbol);
    if (!this.draining) this.draining = this.drain().finally(() => (this.draining = undefined));
  }

  private async drain(): Promise<void> {
    while (this.dirty.size && !this.stopped) {
      const [symbol] = this.dirty;
      if (symbol === undefined) return;
      this.dirty.delete(symbol);
      try {
        await this.evaluate(symbol);
      } catch (err) {
        this.log.warn('evaluating resting orders failed; the periodic pass retries', { symbol, err });
      }
    }
  }

  /**
   * One symbol: every resting order of a paper account against the latest quote (expiry first),
   * in time priority within each account; the accounts in batches, each batch one transaction.
   */
  async evaluate(symbol: string): Promise<number> {
    const started = Date.now();
    const accounts = await restingPaperAccounts(this.pool, symbol);
    let changed = 0;
    for (let i = 0; i < accounts.length; i += ACCOUNTS_PER_TRANSACTION)
      changed += await this.venue.reevaluate(symbol, accounts.slice(i, i + ACCOUNTS_PER_TRANSACTION));
    this.opts.onEvaluated?.(symbol, changed, Date.now() - started);
    return changed;
  }
}
