import { randomUUID } from 'node:crypto';
import { createIngestValidator, withDefaults, type OrderJob } from '@utm/contracts';
import { withTransaction, type Db } from '@utm/db';
import { applyToState, decide, snapshotsFor, type Decision } from '../domain';
import { loadState, lockAccount } from './account-state-store';
import { failSignal, writeDecision } from './decision-writer';

const validateStored = createIngestValidator();

/** Signals decided per transaction at most, so that a long backlog commits as it goes. */
export const BATCH = 100;

export interface ProcessResult {
  /** Signals of the account decided in this transaction. */
  processed: number;
  /** True when the target signal is decided (by this call or earlier). */
  done: boolean;
  orderJobs: OrderJob[];
  outcomes: Decision['kind'][];
}

/**
 * Decides the account's PENDING signals in acceptance order (seq), up to BATCH of them, in
 * one transaction holding the account's row lock: whatever order jobs arrive in and however
 * many replicas run, an account's signals are applied one at a time and in order. A job
 * whose signal was already decided (a redelivery, or an earlier job that took it along)
 * changes nothing.
 */
export async function processAccount(db: Db, accountId: string, signalId: string, lockTimeoutMs: number): Promise<ProcessResult> {
  return withTransaction(
    db.pool,
    async (client) => {
      const nothing: ProcessResult = { processed: 0, done: true, orderJobs: [], outcomes: [] };
      const account = await lockAccount(client, accountId);
      if (!account) return nothing;
      const { target, pending, state } = await loadState(client, account, signalId, BATCH);
      if (!target || target.accountId !== accountId || target.status !== 'PENDING') return nothing;

      const orderJobs: OrderJob[] = [];
      const outcomes: Decision['kind'][] = [];
      for (const signal of pending) {
        const parsed = validateStored(signal.request);
        if (!parsed.ok) {
          // Validated at ingest; only a hand-edited row gets here. Fail it, keep the order going.
          await failSignal(client, signal.id, 'VALIDATION_ERROR', `stored request is invalid: ${parsed.details.map((d) => `${d.field} ${d.message}`).join('; ')}`);
          continue;
        }
        const snapshot = snapshotsFor(state, signal.symbol);
        const decision = decide(withDefaults(parsed.value), snapshot.account, snapshot.symbol);
        const orders = decision.kind === 'accept' ? decision.orders.map((draft) => ({ id: randomUUID(), draft })) : [];
        await writeDecision(client, { id: signal.id, accountId, symbol: signal.symbol }, decision, orders);
        if (decision.kind === 'accept') applyToState(state, signal.symbol, orders, decision.cancelOrderIds);
        outcomes.push(decision.kind);
        for (const o of orders) orderJobs.push({ orderId: o.id, accountId, signalId: signal.id });
      }
      const last = pending[pending.length - 1];
      return { processed: pending.length, done: !last || last.seq >= target.seq, orderJobs, outcomes };
    },
    { lockTimeoutMs },
  );
}
