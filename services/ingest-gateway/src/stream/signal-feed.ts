import type { Pool } from 'pg';
import { AppError, signalSummaryView } from '@utm/contracts';
import type { Logger } from '@utm/logger';
import { EventHorizon } from './event-horizon';
import { FeedRepository, type FeedRow } from './feed-repository';

/** One open GET /api/v1/signals/stream, as the feed sees it. */
export interface StreamConnection {
  /** Sends the response head; called once, just before the first write. */
  open(): void;
  /** Writes a chunk; false when the client reads too slowly (the feed then ends it). */
  write(chunk: string): boolean;
  /** Ends the response; resolves when it is finished (its socket is then idle). */
  end(): Promise<void>;
}

export interface FeedOptions {
  /** How often the feed looks for new events while someone is connected. */
  pollIntervalMs?: number;
  /** A comment line this often keeps proxies from closing an idle stream (and moves the resume point). */
  heartbeatMs?: number;
  /** A missing event id is given up after this long (see EventHorizon). */
  staleGapMs?: number;
  /** Resuming further back than this many event ids sends `reset` (reload) instead of a replay. */
  maxReplay?: number;
  /** The browser's reconnection delay (SSE `retry:`). */
  retryMs?: number;
}

interface Subscriber {
  userId: string;
  /** Events at or below this id are not for this client (it had them, or joined after them). */
  after: bigint;
  /** The resume point last written: every event of the user at or below it has been sent. */
  lastId: bigint;
  conn: StreamConnection;
}

const REPLAY_PAGE = 500;
const BATCH = 2000;
const LOOKBACK = 1000;

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);

/**
 * The live feed behind GET /api/v1/signals/stream, one per gateway process. While anyone is
 * connected it polls signal_events: one primary-key scan per pass for everyone, then one query
 * for the new events of all connected users, fanned out in memory by user id. Replicas each
 * poll on their own, so any number of gateways work. Nothing is added to the write path (a
 * NOTIFY trigger would make every committing transaction of the platform take Postgres's
 * global notification lock).
 *
 * Event ids are signal_events ids. The `id:` written with an event is the resume point: every
 * event of the user up to it has been sent, so resuming from it (Last-Event-ID) loses nothing.
 * It is the event's own id, except while an earlier id is still uncommitted (then it stays
 * lower, and a resume may repeat a few events: clients treat events as idempotent updates).
 */
export class SignalFeed {
  private readonly repo: FeedRepository;
  private readonly log: Logger;
  private readonly byUser = new Map<string, Set<Subscriber>>();
  private horizon: EventHorizon | undefined;
  private safe = 0n;
  private chain: Promise<unknown> = Promise.resolve();
  private pollTimer: NodeJS.Timeout | undefined;
  private polling = false;
  private generation = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private failing = false;
  private closed = false;
  private readonly opts: Required<FeedOptions>;

  constructor(pool: Pool, logger: Logger, opts: FeedOptions = {}) {
    this.repo = new FeedRepository(pool);
    this.log = logger.child({ module: 'stream/signal-feed' });
    this.opts = {
      pollIntervalMs: 250,
      heartbeatMs: 15000,
      staleGapMs: 30000,
      maxReplay: 100000,
      retryMs: 2000,
      ...opts,
    };
  }

  get connections(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  /**
   * Joins the stream: `lastEventId` null means from now on; otherwise what came after it is
   * replayed first. Resolves to the function that leaves. Fails (nothing written) when
   * Postgres cannot be read or the gateway is closing.
   */
  subscribe(userId: string, lastEventId: bigint | null, conn: StreamConnection): Promise<() => void> {
    return this.serial(async () => {
      if (this.closed)
        throw new AppError('SERVICE_UNAVAILABLE', 'The gateway is shutting down; reconnect to another one');
      const h = await this.ensureHorizon();
      const sub: Subscriber = { userId, after: h.safe, lastId: h.safe, conn };
      conn.open();
      conn.write(`retry: ${this.opts.retryMs}\n\n`);
      if (lastEventId === null) {
        this.send(sub, 'ready', sub.lastId, {});
      } else if (h.highest - lastEventId > BigInt(this.opts.maxReplay)) {
        this.send(sub, 'reset', sub.lastId, { reason: 'Too far behind to replay: reload the views' });
      } else {
        sub.after = lastEventId;
        sub.lastId = lastEventId;
        this.send(sub, 'ready', sub.lastId, {});
        await this.replay(sub, h);
      }
      let set = this.byUser.get(userId);
      if (!set) this.byUser.set(userId, (set = new Set()));
      set.add(sub);
      this.startTimers();
      return () => this.drop(sub);
    });
  }

  /** Ends every stream (clients reconnect elsewhere) and stops polling. */
  async close(): Promise<void> {
    this.closed = true;
    this.stopTimers();
    await this.chain;
    const ending = [...this.byUser.values()].flatMap((set) => [...set].map((sub) => sub.conn.end()));
    this.byUser.clear();
    await Promise.all(ending);
    this.horizon = undefined;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async ensureHorizon(): Promise<EventHorizon> {
    if (this.horizon) return this.horizon;
    const h = new EventHorizon(this.repo, { batch: BATCH, staleGapMs: this.opts.staleGapMs, lookback: LOOKBACK });
    await h.start();
    this.horizon = h;
    this.safe = h.safe;
    return h;
  }

  private async replay(sub: Subscriber, h: EventHorizon): Promise<void> {
    let from = sub.after;
    for (;;) {
      const rows = await this.repo.replay(sub.userId, from, h.highest, h.pending, REPLAY_PAGE);
      for (const row of rows) this.deliver(sub, row, h.safe);
      const last = rows[rows.length - 1];
      if (!last || rows.length < REPLAY_PAGE) return;
      from = last.eventId;
    }
  }

  /** One pass: new ids for everyone, then the events of the connected users. */
  private async pass(): Promise<boolean> {
    const h = this.horizon;
    if (!h || !this.byUser.size) return false;
    const { fresh, safe, more } = await h.advance();
    if (fresh.length) {
      for (const row of await this.repo.eventsOf(fresh, [...this.byUser.keys()])) {
        for (const sub of this.byUser.get(row.userId) ?? []) if (row.eventId > sub.after) this.deliver(sub, row, safe);
      }
    }
    this.safe = safe;
    return more;
  }

  private deliver(sub: Subscriber, row: FeedRow, safe: bigint): void {
    sub.lastId = max(sub.lastId, min(safe, row.eventId));
    const event = {
      id: row.eventId.toString(),
      at: row.event.at.toISOString(),
      type: row.event.type,
      message: row.event.message,
    };
    this.send(sub, 'signal', sub.lastId, { signal: signalSummaryView(row.signal), event });
  }

  private send(sub: Subscriber, event: string, id: bigint, data: unknown): void {
    if (!sub.conn.write(`id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`))
      this.evict(sub, 'client too slow');
  }

  private heartbeat(): void {
    for (const set of this.byUser.values()) {
      for (const sub of set) {
        const advanced = this.safe > sub.lastId;
        if (advanced) sub.lastId = this.safe;
        // A comment keeps the connection alive; an id-only block moves the browser's Last-Event-ID.
        if (!sub.conn.write(`: heartbeat\n${advanced ? `id: ${sub.lastId}\n` : ''}\n`))
          this.evict(sub, 'client too slow');
      }
    }
  }

  private evict(sub: Subscriber, why: string): void {
    this.log.debug('stream ended by the gateway', { userId: sub.userId, why });
    this.drop(sub);
    void sub.conn.end();
  }

  private drop(sub: Subscriber): void {
    const set = this.byUser.get(sub.userId);
    if (!set?.delete(sub)) return;
    if (!set.size) this.byUser.delete(sub.userId);
    if (!this.byUser.size) {
      // Nobody listens: stop polling; the next subscriber starts from a fresh horizon.
      this.stopTimers();
      this.horizon = undefined;
    }
  }

  private startTimers(): void {
    if (!this.heartbeatTimer) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), this.opts.heartbeatMs);
      this.heartbeatTimer.unref();
    }
    if (!this.polling) {
      this.polling = true;
      this.schedule(++this.generation, this.opts.pollIntervalMs);
    }
  }

  private stopTimers(): void {
    this.polling = false;
    this.generation++; // a pass still running will not schedule the next one
    clearTimeout(this.pollTimer);
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private schedule(generation: number, ms: number): void {
    this.pollTimer = setTimeout(() => {
      void this.serial(() => this.pass()).then(
        (more) => {
          if (this.failing) this.log.info('signal stream reads Postgres again');
          this.failing = false;
          this.next(generation, more ? 0 : this.opts.pollIntervalMs);
        },
        (err: unknown) => {
          if (!this.failing) this.log.warn('signal stream could not read new events; retrying', { err });
          this.failing = true;
          this.next(generation, this.opts.pollIntervalMs * 4);
        },
      );
    }, ms);
    this.pollTimer.unref();
  }

  private next(generation: number, ms: number): void {
    if (generation !== this.generation) return;
    if (this.closed || !this.byUser.size) {
      this.polling = false;
      return;
    }
    this.schedule(generation, ms);
  }
}
