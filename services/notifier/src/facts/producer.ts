import type { PoolClient } from 'pg';
import type { WebhookPayload } from '@utm/contracts';
import { withTransaction, type Db } from '@utm/db';
import type { Logger } from '@utm/logger';
import type { Subjects } from '@utm/read-model';
import { insertDeliveries, newEventId, type NewDelivery } from '@utm/webhooks';
import { ruleFor, type FactSource } from './fact-events';
import { factsAfter, horizon, lockCursor, saveCursor, type Cursor, type Fact } from './fact-reader';

interface Endpoint {
  id: string;
  userId: string;
  events: string[];
  createdAt: Date;
}

export interface PassResult {
  /** Deliveries written (and committed): each needs its job. */
  deliveryIds: string[];
  facts: number;
  /** The pass stopped at its batch size: run another at once. */
  more: boolean;
}

async function endpointsOf(c: PoolClient, userIds: string[]): Promise<Map<string, Endpoint[]>> {
  const { rows } = await c.query<{ id: string; user_id: string; events: string[]; created_at: Date }>({
    name: 'notifier-endpoints-of',
    text: `SELECT id, user_id, events, created_at FROM webhooks
           WHERE user_id = ANY($1::uuid[]) AND status = 'ACTIVE' AND deleted_at IS NULL`,
    values: [userIds],
  });
  const out = new Map<string, Endpoint[]>();
  for (const r of rows) {
    const e = { id: r.id, userId: r.user_id, events: r.events, createdAt: r.created_at };
    out.set(e.userId, [...(out.get(e.userId) ?? []), e]);
  }
  return out;
}

const later = (a: Cursor, b: Cursor): Cursor =>
  a.txId > b.txId || (a.txId === b.txId && a.factId >= b.factId) ? a : b;

/**
 * Turns committed facts into deliveries. One pass over one fact table is one transaction: it
 * locks that table's cursor, reads the facts past it whose transactions have all ended, writes
 * a delivery for each endpoint of the fact's owner that chose its event (and existed when it
 * happened), and moves the cursor, all or nothing. A fact therefore yields its deliveries once,
 * and only when the transaction that recorded it committed; several replicas take turns.
 */
export class FactProducer {
  private readonly log: Logger;

  constructor(
    private readonly db: Db,
    private readonly subjects: Subjects,
    logger: Logger,
    private readonly opts: { batch: number; now: () => Date },
  ) {
    this.log = logger.child({ module: 'facts/producer' });
  }

  async pass(source: FactSource): Promise<PassResult> {
    // Pipelined: BEGIN, the horizon and the cursor's lock leave in one write.
    return withTransaction(
      this.db.pool,
      async (c) => {
        const [below, cursor] = await Promise.all([horizon(c), lockCursor(c, source)]);
        if (!cursor) return { deliveryIds: [], facts: 0, more: false };
        const facts = await factsAfter(c, source, cursor, below, this.opts.batch);
        const more = facts.length === this.opts.batch;
        const last = facts[facts.length - 1];
        const next = more && last ? { txId: last.txId, factId: last.id } : later(cursor, { txId: below, factId: 0n });
        const rows = facts.length ? await this.deliveriesFor(c, facts) : [];
        const deliveryIds = await insertDeliveries(c, rows, this.opts.now());
        if (next.txId !== cursor.txId || next.factId !== cursor.factId) await saveCursor(c, source, next);
        return { deliveryIds, facts: facts.length, more };
      },
      { pipelined: true },
    );
  }

  private async deliveriesFor(c: PoolClient, facts: Fact[]): Promise<NewDelivery[]> {
    const endpoints = await endpointsOf(c, [...new Set(facts.map((f) => f.userId))]);
    const wanted = facts.filter((f) => endpoints.has(f.userId));
    if (!wanted.length) return [];
    const data = await this.dataOf(wanted);
    const rows: NewDelivery[] = [];
    for (const f of wanted) {
      const rule = ruleFor(f.source, f.type);
      if (!rule) continue;
      const subject = data.get(f);
      if (!subject) {
        this.log.warn('a fact’s subject is gone; no event for it', { source: f.source, factId: f.id.toString() });
        continue;
      }
      const payload: WebhookPayload = {
        type: rule.event,
        timestamp: f.at.toISOString(),
        data: subject,
        message: f.message,
      };
      const eventId = newEventId();
      for (const e of endpoints.get(f.userId) ?? []) {
        if (!e.events.includes(rule.event) || e.createdAt > f.at) continue;
        rows.push({ webhookId: e.id, eventId, type: rule.event, payload, source: f.source, factId: f.id });
      }
    }
    return rows;
  }

  /** Each fact's subject as the read API returns it, loaded in one query per kind. */
  private async dataOf(facts: Fact[]): Promise<Map<Fact, Record<string, unknown>>> {
    const ids = { signal: new Set<string>(), order: new Set<string>(), account: new Set<string>() };
    const subjectOf = (f: Fact) => ruleFor(f.source, f.type)?.subject;
    for (const f of facts) {
      const s = subjectOf(f);
      if (s === 'signal' && f.signalId) ids.signal.add(f.signalId);
      if (s === 'order' && f.orderId) ids.order.add(f.orderId);
      if (s === 'account') ids.account.add(f.accountId);
    }
    const [signals, orders, accounts] = await Promise.all([
      this.subjects.signals([...ids.signal]),
      this.subjects.orders([...ids.order]),
      Promise.all([...ids.account].map(async (id) => [id, await this.subjects.account(id)] as const)),
    ]);
    const accountViews = new Map(accounts);
    const out = new Map<Fact, Record<string, unknown>>();
    for (const f of facts) {
      const s = subjectOf(f);
      const view =
        s === 'signal' && f.signalId
          ? signals.get(f.signalId)
          : s === 'order' && f.orderId
            ? orders.get(f.orderId)
            : s === 'account'
              ? accountViews.get(f.accountId)
              : undefined;
      if (view) out.set(f, view as unknown as Record<string, unknown>);
    }
    return out;
  }
}
