import type { Pool } from 'pg';
import type { SignalRow, SignalStatus } from '@utm/contracts';

/** A signal event with the signal as it is now (the list item's shape comes from signalSummaryView). */
export interface FeedRow {
  eventId: bigint;
  userId: string;
  event: { at: Date; type: string; message: string };
  signal: SignalRow;
}

interface RawRow {
  event_id: string;
  at: Date;
  type: string;
  message: string;
  id: string;
  user_id: string;
  status: SignalStatus;
  account_id: string;
  symbol: string;
  action: string;
  applied_action: string | null;
  request: unknown;
  received_at: Date;
  updated_at: Date;
  error_code: string | null;
  error_message: string | null;
}

const COLUMNS = `e.id::text AS event_id, e.at, e.type, e.message, s.id, s.user_id, s.status, s.account_id, s.symbol, s.action,
  s.applied_action, s.request, s.received_at, s.updated_at, s.error_code, s.error_message
  FROM signal_events e JOIN signals s ON s.id = e.signal_id`;

function toFeedRow(r: RawRow): FeedRow {
  return {
    eventId: BigInt(r.event_id),
    userId: r.user_id,
    event: { at: r.at, type: r.type, message: r.message },
    signal: {
      id: r.id,
      status: r.status,
      accountId: r.account_id,
      symbol: r.symbol,
      action: r.action,
      appliedAction: r.applied_action,
      request: r.request,
      receivedAt: r.received_at,
      updatedAt: r.updated_at,
      errorCode: r.error_code,
      errorMessage: r.error_message,
    },
  };
}

const ids = (xs: Iterable<bigint>) => [...xs].map(String);

/** The stream's reads of signal_events (primary key range and lookups only). */
export class FeedRepository {
  constructor(private readonly pool: Pool) {}

  async maxEventId(): Promise<bigint> {
    const { rows } = await this.pool.query<{ max: string }>(
      'SELECT coalesce(max(id), 0)::text AS max FROM signal_events',
    );
    return BigInt(rows[0]?.max ?? '0');
  }

  /** Ids committed above `after`, ascending (index-only scan of the primary key). */
  async idsAfter(after: bigint, limit: number): Promise<bigint[]> {
    const { rows } = await this.pool.query<{ id: string }>({
      name: 'feed-ids-after',
      text: 'SELECT e.id::text FROM signal_events e WHERE e.id > $1 ORDER BY e.id LIMIT $2', // by the bigint, not its text
      values: [after.toString(), limit],
    });
    return rows.map((r) => BigInt(r.id));
  }

  /** Which of these ids exist now. */
  async existing(candidates: Iterable<bigint>): Promise<bigint[]> {
    const { rows } = await this.pool.query<{ id: string }>({
      name: 'feed-existing',
      text: 'SELECT id::text FROM signal_events WHERE id = ANY($1::bigint[])',
      values: [ids(candidates)],
    });
    return rows.map((r) => BigInt(r.id));
  }

  /** These events, for the signals of these users (one query for every connected user). */
  async eventsOf(eventIds: bigint[], userIds: string[]): Promise<FeedRow[]> {
    const { rows } = await this.pool.query<RawRow>({
      name: 'feed-events-of',
      text: `SELECT ${COLUMNS} WHERE e.id = ANY($1::bigint[]) AND s.user_id = ANY($2::uuid[]) ORDER BY e.id`,
      values: [ids(eventIds), userIds],
    });
    return rows.map(toFeedRow);
  }

  /** A user's events in (after, upTo], leaving out ids not yet known to be committed. */
  async replay(
    userId: string,
    after: bigint,
    upTo: bigint,
    excluded: Iterable<bigint>,
    limit: number,
  ): Promise<FeedRow[]> {
    const { rows } = await this.pool.query<RawRow>({
      name: 'feed-replay',
      text: `SELECT ${COLUMNS} WHERE s.user_id = $1 AND e.id > $2 AND e.id <= $3 AND NOT (e.id = ANY($4::bigint[])) ORDER BY e.id LIMIT $5`,
      values: [userId, after.toString(), upTo.toString(), ids(excluded), limit],
    });
    return rows.map(toFeedRow);
  }
}
