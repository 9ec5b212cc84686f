import { randomUUID } from 'node:crypto';
import { createIngestValidator, withDefaults, type OrderJob } from '@utm/contracts';
import { withTransaction, type Db } from '@utm/db';
import { applyToState, decide, settlementOf, snapshotsFor, type Decision, type SettlementOptions } from '../domain';
import { loadStates, lockAccounts, withAccounts } from './account-state-store';
import { failSignal, writeDecisions, type DecisionToWrite, type Deferral } from './decision-writer';

const validateStored = createIngestValidator();

/** Signals of one account decided per transaction at most, so that a long backlog commits as it goes. */
export const BATCH = 100;

/** A job's ask: decide its account's pending signals up to (and including) this one. */
export interface Target {
  accountId: string;
  signalId: string;
}

export interface ProcessResult {
  /** Signals decided in this transaction (all accounts of the batch). */
  processed: number;
  /** Per target signal id: true when it is decided (by this call or earlier), or cannot be. */
  done: Map<string, boolean>;
  /** Accounts left out because another transaction held them (with skipLocked): their targets are not done. */
  skipped: Set<string>;
  orderJobs: OrderJob[];
  outcomes: Decision['kind'][];
  /** Per account, the first signal left PENDING because earlier orders of its symbol are still being worked. */
  deferred: Target[];
}

/** How long earlier orders at an external venue are waited for (settlement.ts). */
export type SequencingOptions = Omit<SettlementOptions, 'now'>;

export const DEFAULT_SEQUENCING: SequencingOptions = { marketFillWaitMs: 5000, cancelWaitMs: 30000 };

/**
 * Decides the PENDING signals of the targets' accounts in acceptance order (seq), up to BATCH
 * per account, in one transaction holding every one of those accounts' row locks: whatever
 * order jobs arrive in and however many replicas run, an account's signals are applied one
 * at a time and in order. A target already decided (a redelivery, or an earlier job that
 * took it along) changes nothing.
 */
export async function processAccounts(
  db: Db,
  targets: Target[],
  lockTimeoutMs: number,
  skipLocked = false,
  sequencing: SequencingOptions = DEFAULT_SEQUENCING,
): Promise<ProcessResult> {
  return withTransaction(
    db.pool,
    async (client) => {
      const result: ProcessResult = {
        processed: 0,
        done: new Map(targets.map((t) => [t.signalId, true])),
        skipped: new Set(),
        orderJobs: [],
        outcomes: [],
        deferred: [],
      };
      const wanted = [...new Set(targets.map((t) => t.accountId))];
      // Pipelined: the state query leaves with the lock statement and runs right after it.
      const [accounts, raw] = await Promise.all([
        lockAccounts(client, wanted, skipLocked),
        loadStates(
          client,
          wanted,
          targets.map((t) => t.signalId),
          BATCH,
        ),
      ]);
      if (skipLocked) {
        // Left out: held elsewhere, or no such account. Only the first are worth another try.
        const missing = wanted.filter((id) => !accounts.has(id));
        if (missing.length) {
          const { rows } = await client.query<{ id: string }>({
            name: 'processor-accounts-exist',
            text: 'SELECT id FROM accounts WHERE id = ANY($1::uuid[])',
            values: [missing],
          });
          for (const r of rows) result.skipped.add(r.id);
          for (const t of targets) if (result.skipped.has(t.accountId)) result.done.set(t.signalId, false);
        }
      }
      if (!accounts.size) return result;
      const { targets: found, accounts: states } = withAccounts(raw, accounts);

      const batch: DecisionToWrite[] = [];
      const deferrals: Deferral[] = [];
      const lastSeq = new Map<string, bigint>();
      const now = new Date();
      for (const [accountId, { pending, state }] of states) {
        // Only accounts with a target still PENDING are worked (else a redelivery would decide a backlog its jobs are about to).
        if (
          !targets.some(
            (t) =>
              t.accountId === accountId &&
              found.get(t.signalId)?.status === 'PENDING' &&
              found.get(t.signalId)?.accountId === accountId,
          )
        )
          continue;
        for (const signal of pending) {
          const parsed = validateStored(signal.request);
          if (!parsed.ok) {
            // Validated at ingest; only a hand-edited row gets here. Fail it, keep the order going.
            lastSeq.set(accountId, signal.seq);
            await failSignal(
              client,
              signal.id,
              'VALIDATION_ERROR',
              `stored request is invalid: ${parsed.details.map((d) => `${d.field} ${d.message}`).join('; ')}`,
            );
            continue;
          }
          const req = withDefaults(parsed.value);
          const settlement = settlementOf(state, signal.symbol, req, { ...sequencing, now });
          if (!settlement.settled) {
            // This signal and every later one of the account wait (acceptance order); the worker re-checks.
            result.deferred.push({ accountId, signalId: signal.id });
            if (!signal.deferred)
              deferrals.push({
                signalId: signal.id,
                orderId: settlement.orderId,
                message: `Waiting for earlier orders of the account to be worked before deciding: ${settlement.reason}`,
              });
            break;
          }
          lastSeq.set(accountId, signal.seq);
          const snapshot = snapshotsFor(state, signal.symbol);
          const decision = decide(req, snapshot.account, snapshot.symbol, now, {
            timeInForceGiven: parsed.value.timeInForce !== undefined,
          });
          const orders =
            decision.kind === 'accept' ? decision.orders.map((draft) => ({ id: randomUUID(), draft })) : [];
          batch.push({ signal: { id: signal.id, accountId, symbol: signal.symbol }, decision, orders });
          result.processed++;
          if (decision.kind === 'accept') applyToState(state, signal.symbol, orders, decision.cancelOrderIds);
          result.outcomes.push(decision.kind);
          for (const o of orders) result.orderJobs.push({ orderId: o.id, accountId, signalId: signal.id });
        }
      }
      await writeDecisions(client, batch, deferrals);

      for (const t of targets) {
        const target = found.get(t.signalId);
        if (!target || target.accountId !== t.accountId || target.status !== 'PENDING' || !accounts.has(t.accountId))
          continue; // nothing to do for this one
        const last = lastSeq.get(t.accountId);
        // Deferred (this one or an earlier one): done for now, the worker's re-check takes it up.
        if (result.deferred.some((d) => d.accountId === t.accountId)) continue;
        // A backlog longer than BATCH: the target is not reached yet; the caller goes again.
        result.done.set(t.signalId, last !== undefined && last >= target.seq);
      }
      return result;
    },
    // The lock, load and write statements were checked to plan well generically (per-account
    // indexes, no status parameters): planning them once instead of per batch halves their cost.
    { lockTimeoutMs, genericPlans: true, pipelined: true },
  );
}

/** One account, one target: processAccounts for a single job (waits for the account's lock). */
export async function processAccount(
  db: Db,
  accountId: string,
  signalId: string,
  lockTimeoutMs: number,
): Promise<ProcessResult> {
  return processAccounts(db, [{ accountId, signalId }], lockTimeoutMs);
}
