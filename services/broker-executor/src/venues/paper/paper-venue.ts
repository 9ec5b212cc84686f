import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { Milestone, MilestoneSink } from '../../domain/milestones';
import type { ExecOrder } from '../../domain/order';
import { PaperBatch } from './batch';
import type { MarketClock } from './market-clock';
import { lockAccountRows } from '../../repositories/accounts';
import { writePaperBatch } from '../../repositories/paper-batch';
import { loadPaperWork, loadRestingWork, paperWorkFor, type PaperWork } from '../../repositories/paper-book';
import { PER_ROUND, Progress } from '../account-executor';
import type { Venue } from '../venue';

/** What an order handled on the paper engine was, as a broker call. */
export type PaperOperation = 'place' | 'resolve' | 'cancel';

function operationOf(o: ExecOrder): PaperOperation {
  if (o.status === 'SUBMITTING') return 'resolve';
  return o.cancelRequestedAt ? 'cancel' : 'place';
}

export interface PaperVenueOptions {
  /** How long a transaction waits for an account's lock (LOCK_TIMEOUT_MS). */
  lockTimeoutMs?: number;
  /** Told, once a round has committed, of each order it handled and how long the round took. */
  onHandled?: (operation: PaperOperation, seconds: number) => void;
}

/**
 * The paper broker. Its book is our orders table: an accepted order rests (status ACCEPTED)
 * until a quote crosses it; a fill changes the order, the position, cash and the exit legs in
 * the same transaction, under the account's lock. Behaves like a broker: refuses what the
 * account cannot pay for, does not rest IOC/FOK, expires DAY orders at the session close.
 * Whatever moves it — the account executor's placements and cancels (work), a quote or the
 * session close (reevaluate, from the quote engine) — it works the accounts' book in memory
 * (PaperBatch) and writes what changed in one statement (writePaperBatch): one write path.
 */
export class PaperVenue implements Venue {
  readonly name = 'paper';
  readonly together = true;

  constructor(
    private readonly pool: Pool,
    private readonly clock: MarketClock,
    private readonly now: () => Date,
    private readonly log: Logger,
    /** Told, after commit, when a signal's order is accepted and when it is filled. */
    private readonly milestones: MilestoneSink = () => undefined,
    private readonly opts: PaperVenueOptions = {},
  ) {}

  /**
   * Works paper accounts together: one transaction locks the accounts' rows, then takes each
   * account's actionable orders in sequence and carries them out in memory (workIn), all of it
   * written at once. The account row lock is what serialises an account's work across jobs
   * and replicas (the processor decides under the same lock), so no execution lock is needed.
   * The batch skips accounts another transaction holds (waiting on one, it would hold all the
   * others meanwhile); each of those is then worked on its own, waiting for its lock. Rounds
   * repeat for accounts that had more than a round's worth.
   */
  async work(accountIds: string[], skipLocked = true): Promise<number> {
    let handled = 0;
    let open = accountIds;
    const progress = new Progress();
    while (open.length) {
      const started = process.hrtime.bigint();
      const ids = open;
      const round = await withTransaction(
        this.pool,
        async (c) => {
          // Pipelined: the work query leaves with the lock statement and runs right after it.
          const [locked, raw] = await Promise.all([
            lockAccountRows(c, ids, skipLocked),
            loadPaperWork(c, ids, PER_ROUND),
          ]);
          const held = skipLocked ? ids.filter((id) => !locked.some((a) => a.id === id)) : [];
          const work = paperWorkFor(raw, locked);
          return { orders: work.orders, reached: await this.workIn(c, work, (o) => progress.check(o)), held };
        },
        // Planned once (see TransactionOptions.genericPlans): the lock, work and write statements.
        { ...this.txOptions(), genericPlans: true, pipelined: true },
      );
      this.report(round.reached);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const perAccount = new Map<string, number>();
      for (const o of round.orders) {
        perAccount.set(o.accountId, (perAccount.get(o.accountId) ?? 0) + 1);
        this.opts.onHandled?.(operationOf(o), seconds);
        this.log.debug('order handled', {
          orderId: o.id,
          signalId: o.signalId,
          was: `${o.status}${o.cancelRequestedAt ? ':cancel' : ''}`,
        });
      }
      handled += round.orders.length;
      const alone = await Promise.all(round.held.map((id) => this.work([id], false)));
      handled += alone.reduce((a, b) => a + b, 0);
      open = [...perAccount].filter(([, n]) => n >= PER_ROUND).map(([id]) => id);
    }
    return handled;
  }

  private txOptions(): { lockTimeoutMs?: number } {
    return this.opts.lockTimeoutMs === undefined ? {} : { lockTimeoutMs: this.opts.lockTimeoutMs };
  }

  /**
   * Works the locked accounts' actionable orders, in sequence within each account, inside the
   * caller's transaction, which holds the accounts' row locks: every placement and cancel
   * decided in memory by the paper batch, then one write. Returns the milestones reached, to
   * report once the transaction has committed.
   */
  private async workIn(
    c: PoolClient,
    { orders, book }: PaperWork,
    check: (o: ExecOrder) => void = () => undefined,
  ): Promise<Milestone[]> {
    if (!orders.length) return [];
    const batch = new PaperBatch(book, this.clock, this.now());
    for (const order of orders) {
      check(order);
      batch.act(order);
    }
    await writePaperBatch(c, batch.writes);
    return batch.writes.milestones;
  }

  /** Reports milestones reached in a transaction, once it has committed. */
  private report(reached: Milestone[]): void {
    for (const m of reached) this.milestones(m);
  }

  /**
   * The orders of `accountIds` resting in `symbol`, against its latest quote and the session
   * close, in time priority: one transaction locks the accounts (in id order; those another
   * transaction holds are skipped, then done alone, waiting for their lock), reads their book,
   * lets the paper batch decide, and writes. Returns how many orders changed.
   */
  async reevaluate(symbol: string, accountIds: string[], skipLocked = true): Promise<number> {
    if (!accountIds.length) return 0;
    const round = await withTransaction(
      this.pool,
      async (c) => {
        // Pipelined: the book query leaves with the lock statement and runs right after it.
        const [locked, raw] = await Promise.all([
          lockAccountRows(c, accountIds, skipLocked),
          loadRestingWork(c, accountIds, symbol),
        ]);
        const { orders, book } = paperWorkFor(raw, locked);
        const batch = new PaperBatch(book, this.clock, this.now());
        for (const order of orders) batch.reevaluate(order);
        await writePaperBatch(c, batch.writes);
        return {
          changed: batch.writes.orders.size,
          reached: batch.writes.milestones,
          held: skipLocked ? accountIds.filter((id) => !locked.some((a) => a.id === id)) : [],
        };
      },
      { ...this.txOptions(), genericPlans: true, pipelined: true },
    );
    this.report(round.reached);
    if (round.held.length) this.log.debug('accounts held elsewhere: re-evaluated alone', { symbol, held: round.held });
    const alone = await Promise.all(round.held.map((id) => this.reevaluate(symbol, [id], false)));
    return alone.reduce((a, b) => a + b, round.changed);
  }
}
