import type { FeedRepository } from './feed-repository';

export interface HorizonOptions {
  /** Ids read per pass. */
  batch: number;
  /** A missing id older than this is taken as never coming (a rolled-back transaction). */
  staleGapMs: number;
  /** On start, ids this far below the newest are checked for transactions still in flight. */
  lookback: number;
  now?: () => number;
}

export interface Advance {
  /** Ids seen for the first time, ascending: above the previous scan, or gaps that were filled. */
  fresh: bigint[];
  /** Every event with an id at or below this is visible now, or never will be. */
  safe: bigint;
  /** The pass stopped at `batch` ids: run another one now. */
  more: boolean;
}

// A jump this large is a sequence reset or a bulk rollback, not transactions in flight.
const MAX_TRACKED_GAP = 10000n;

/**
 * Follows signal_events in id order without missing late commits. Ids come from a sequence,
 * so a transaction can commit id 7 after another committed id 8: a reader that only asks for
 * "ids above the last one seen" would skip 7 for ever. Missing ids below the newest seen are
 * kept as gaps and asked for again on each pass until they appear (then they are fresh) or
 * are older than `staleGapMs` (a rolled-back transaction's id never appears).
 */
export class EventHorizon {
  private scanned = 0n;
  private readonly gaps = new Map<bigint, number>();
  private readonly now: () => number;

  constructor(
    private readonly repo: FeedRepository,
    private readonly opts: HorizonOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /** Starts at the newest id; ids missing just below it may belong to transactions in flight. */
  async start(): Promise<void> {
    const max = await this.repo.maxEventId();
    const from = max > BigInt(this.opts.lookback) ? max - BigInt(this.opts.lookback) : 0n;
    this.scanned = from;
    this.gaps.clear();
    await this.scan(max);
  }

  get safe(): bigint {
    let min: bigint | undefined;
    for (const g of this.gaps.keys()) if (min === undefined || g < min) min = g;
    return min === undefined ? this.scanned : min - 1n;
  }

  get highest(): bigint {
    return this.scanned;
  }

  /** Gap ids still awaited (they must not be replayed as if delivered). */
  get pending(): bigint[] {
    return [...this.gaps.keys()];
  }

  async advance(): Promise<Advance> {
    const fresh: bigint[] = [];
    if (this.gaps.size) {
      for (const id of await this.repo.existing(this.gaps.keys())) {
        if (this.gaps.delete(id)) fresh.push(id);
      }
      const now = this.now();
      for (const [id, since] of this.gaps) if (now - since > this.opts.staleGapMs) this.gaps.delete(id);
    }
    const scannedIds = await this.scan(undefined);
    fresh.push(...scannedIds);
    fresh.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return { fresh, safe: this.safe, more: scannedIds.length === this.opts.batch };
  }

  /** Reads ids above the last seen (up to `upTo` when given), recording the holes as gaps. */
  private async scan(upTo: bigint | undefined): Promise<bigint[]> {
    const out: bigint[] = [];
    for (;;) {
      const ids = await this.repo.idsAfter(this.scanned, this.opts.batch);
      const now = this.now();
      for (const id of ids) {
        if (upTo !== undefined && id > upTo) return out;
        if (id <= this.scanned) throw new Error(`signal_events ids out of order: ${id} after ${this.scanned}`);
        if (id - this.scanned - 1n <= MAX_TRACKED_GAP)
          for (let g = this.scanned + 1n; g < id; g++) this.gaps.set(g, now);
        this.scanned = id;
        out.push(id);
      }
      if (upTo === undefined || ids.length < this.opts.batch) return out;
    }
  }
}
