import { AppError, sqlValue, tickerOf, type IngestRequest, type SignalJob, type SignalStatus } from '@utm/contracts';
import type { Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import { Batcher, type Producer } from '@utm/queue';

/** A validated signal about to be stored. */
export interface NewSignal {
  id: string;
  userId: string;
  accountId: string;
  request: IngestRequest;
  idempotencyKey: string | null;
  /** sha256 of the content; only for signals with an idempotency key (compared on reuse). */
  requestHash: string | null;
}

export type WriteResult =
  | { kind: 'created'; signalId: string }
  | { kind: 'duplicate'; signalId: string; status: SignalStatus }
  | { kind: 'conflict'; signalId: string };

/** How long an idempotency key holds (docs/contract.md: within 24 h). */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

// One statement per batch: the rows, their RECEIVED events, ON CONFLICT for idempotency.
// WITH ORDINALITY keeps acceptance order in `seq`. Rows not returned met an existing key.
const INSERT_BATCH = `
WITH input AS (
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[], $5::"SignalAction"[], $6::text[], $7::text[], $8::text[])
    WITH ORDINALITY AS t(id, user_id, account_id, symbol, action, request, idempotency_key, request_hash, ord)
), ins AS (
  INSERT INTO signals (id, user_id, account_id, symbol, action, request, idempotency_key, request_hash)
  SELECT id, user_id, account_id, symbol, action, request::jsonb, idempotency_key, request_hash FROM input ORDER BY ord
  ON CONFLICT (user_id, idempotency_key) DO NOTHING
  RETURNING id
), ev AS (
  INSERT INTO signal_events (signal_id, type, message)
  SELECT id, ${sqlValue('RECEIVED')}, 'Signal received and queued for processing' FROM ins
)
SELECT id FROM ins`;

const FIND_BY_KEYS = `
SELECT s.id, s.user_id, s.idempotency_key, s.request_hash, s.status,
       s.received_at < now() - interval '${IDEMPOTENCY_WINDOW_HOURS} hours' AS expired
FROM signals s
JOIN unnest($1::uuid[], $2::text[]) AS k(user_id, idempotency_key)
  ON s.user_id = k.user_id AND s.idempotency_key = k.idempotency_key`;

const keyOf = (userId: string, key: string) => `${userId}\u0000${key}`;

export interface SignalWriterOptions {
  maxBatchSize?: number;
}

/**
 * Persists accepted signals and enqueues their jobs, batching the requests in flight: one
 * multi-row INSERT and one addBulk per batch, each caller still waiting for both.
 * A result of `created` means the row is committed and either its job is in Redis or the
 * row waits, PENDING, for the outbox sweeper.
 */
export class SignalWriter {
  private readonly batcher: Batcher<NewSignal, WriteResult>;
  private readonly log: Logger;

  constructor(
    private readonly db: Db,
    private readonly producer: Producer<SignalJob>,
    logger: Logger,
    opts: SignalWriterOptions = {},
    private readonly onEnqueueFailure: (count: number) => void = () => undefined,
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {
    this.log = logger.child({ module: 'repositories/signal-writer' });
    // Natural batching: requests that arrive while four batches are being written leave
    // together in the next one (at 500/s, one request every 2 ms, a batch per event-loop turn
    // was one or two requests: a commit and an enqueue each). Four: a closed loop of 32
    // connections keeps its throughput (one or two in flight cost it 10-20 %).
    this.batcher = new Batcher((items) => this.writeBatch(items), {
      maxBatch: opts.maxBatchSize ?? 256,
      maxInFlight: 4,
    });
  }

  write(signal: NewSignal): Promise<WriteResult> {
    return this.batcher.submit(signal);
  }

  private async writeBatch(items: readonly NewSignal[]): Promise<(WriteResult | Error)[]> {
    this.onBatch(items.length);
    // Within the batch, the first request with a given key is the candidate; later ones
    // are answered from its outcome.
    const firstByKey = new Map<string, number>();
    const candidates: NewSignal[] = [];
    items.forEach((s, i) => {
      if (s.idempotencyKey === null) return void candidates.push(s);
      const k = keyOf(s.userId, s.idempotencyKey);
      if (!firstByKey.has(k)) {
        firstByKey.set(k, i);
        candidates.push(s);
      }
    });

    let inserted: Set<string>;
    try {
      inserted = await this.insert(candidates);
    } catch (err) {
      if (!isIntegrityError(err) || candidates.length === 1) return items.map(() => asError(err));
      // One bad row must not fail its neighbours: retry them one by one.
      return this.writeOneByOne(items);
    }

    const created = candidates.filter((s) => inserted.has(s.id));
    // The inserted rows are committed whatever happens next: a failure of the lookup below
    // must fail only the requests that need it, never answer 503 for a stored signal (its
    // sender would retry and, without an idempotency key, store it twice).
    const [existing] = await Promise.all([
      this.lookupExisting(candidates.filter((s) => !inserted.has(s.id))).catch((err: unknown) => asError(err)),
      this.enqueue(created),
    ]);

    return items.map((s): WriteResult | Error => {
      if (inserted.has(s.id)) return { kind: 'created', signalId: s.id };
      if (s.idempotencyKey === null) return new Error(`signal ${s.id} was neither inserted nor a duplicate`);
      const k = keyOf(s.userId, s.idempotencyKey);
      const first = items[firstByKey.get(k) ?? -1];
      if (first && first !== s && inserted.has(first.id)) {
        return first.requestHash === s.requestHash
          ? { kind: 'duplicate', signalId: first.id, status: 'PENDING' }
          : { kind: 'conflict', signalId: first.id };
      }
      if (existing instanceof Error) return existing;
      const row = existing.get(k);
      if (!row) return new Error(`idempotency key of signal ${s.id} conflicted but no row was found`);
      if (row.expired) return new ExpiredKey(row.id);
      return row.request_hash === s.requestHash
        ? { kind: 'duplicate', signalId: row.id, status: row.status }
        : { kind: 'conflict', signalId: row.id };
    });
  }

  private async writeOneByOne(items: readonly NewSignal[]): Promise<(WriteResult | Error)[]> {
    const out: (WriteResult | Error)[] = [];
    for (const item of items) {
      const [r] = await this.writeBatch([item]);
      out.push(r ?? new Error('no result'));
    }
    return out;
  }

  private async insert(rows: NewSignal[]): Promise<Set<string>> {
    if (!rows.length) return new Set();
    const { rows: ids } = await this.db.pool.query<{ id: string }>({
      name: 'gateway-insert-signals',
      text: INSERT_BATCH,
      values: [
        rows.map((r) => r.id),
        rows.map((r) => r.userId),
        rows.map((r) => r.accountId),
        rows.map((r) => tickerOf(r.request.symbol)),
        rows.map((r) => r.request.action),
        rows.map((r) => JSON.stringify(r.request)),
        rows.map((r) => r.idempotencyKey),
        rows.map((r) => r.requestHash),
      ],
    });
    return new Set(ids.map((r) => r.id));
  }

  private async lookupExisting(rows: NewSignal[]) {
    type Row = {
      id: string;
      user_id: string;
      idempotency_key: string;
      request_hash: string | null;
      status: SignalStatus;
      expired: boolean;
    };
    const out = new Map<string, Row>();
    const keyed = rows.filter((r): r is NewSignal & { idempotencyKey: string } => r.idempotencyKey !== null);
    if (!keyed.length) return out;
    const { rows: found } = await this.db.pool.query<Row>({
      name: 'gateway-find-idempotent',
      text: FIND_BY_KEYS,
      values: [keyed.map((r) => r.userId), keyed.map((r) => r.idempotencyKey)],
    });
    for (const r of found) out.set(keyOf(r.user_id, r.idempotency_key), r);
    return out;
  }

  /**
   * Adds the jobs. The producer fails fast (its own timeout) while Redis is away; the rows
   * then stay PENDING and the outbox sweeper adds them later.
   */
  private async enqueue(created: NewSignal[]): Promise<void> {
    if (!created.length) return;
    try {
      await this.producer.addBulk(created.map((s) => ({ signalId: s.id, accountId: s.accountId })));
    } catch (err) {
      this.onEnqueueFailure(created.length);
      this.log.warn('enqueue failed; the signals stay PENDING for the outbox sweeper', { count: created.length, err });
    }
  }

  /**
   * The rare path of a key older than 24 h: release it from the old signal (one atomic
   * UPDATE that re-checks the age), then write anew. If another request took the key in
   * between, this one becomes its duplicate or conflict, as it should.
   */
  async releaseExpiredKey(oldSignalId: string, signal: NewSignal): Promise<WriteResult> {
    await this.db.pool.query(
      `UPDATE signals SET idempotency_key = NULL WHERE id = $1 AND received_at < now() - interval '${IDEMPOTENCY_WINDOW_HOURS} hours'`,
      [oldSignalId],
    );
    return this.write(signal);
  }
}

/** The existing signal holding this key is older than the idempotency window. */
export class ExpiredKey extends Error {
  constructor(readonly signalId: string) {
    super('idempotency key expired');
  }
}

function isIntegrityError(err: unknown): boolean {
  const code = err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : '';
  return code.startsWith('23') || code.startsWith('22');
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new AppError('INTERNAL_ERROR', String(err));
}
