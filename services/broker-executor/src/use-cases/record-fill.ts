import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import { isExitRole } from '@utm/contracts';
import { applyFill, type Execution } from '../domain/fill';
import type { ExecOrder } from '../domain/order';
import { fundsOf, writeFill } from '../repositories/fills';
import { legsOf } from '../repositories/leg-rows';
import { loadOrder } from '../repositories/orders';
import { carryOutLegChanges, type LegVenue } from './exit-legs';
import { exitTermsOf } from './leg-terms';

/**
 * One execution an external broker reported, recorded as domain/fill.ts decides it — the
 * order, the position, cash, the events — then its exit-leg changes carried out at the broker.
 * In the caller's transaction, which holds the account row lock. Returns the order as it now
 * stands and the ids that need the account worked; null when the execution was already
 * recorded (a stream event, a poll and a reconciliation report it each).
 */
export async function recordBrokerFill(
  client: PoolClient,
  order: ExecOrder,
  execution: Execution,
  venue: LegVenue,
): Promise<{ order: ExecOrder; work: string[] } | null> {
  const [{ cash, position }, family] = await Promise.all([
    fundsOf(client, order.accountId, order.symbol),
    familyOf(client, order),
  ]);
  const entry = family?.entry ?? order;
  const result = applyFill({
    order,
    position,
    cash,
    fill: execution,
    entry: entry === order ? null : entry,
    legs: family?.legs ?? [],
    exits: order.role === 'ENTRY' && order.exitRules ? await exitTermsOf(client, order, venue) : null,
    newId: randomUUID,
  });
  if (!(await writeFill(client, result))) return null;
  if (!family && !result.legs.create.length) return { order: result.order, work: [] };
  const after = family ?? { entry: result.order, legs: [] };
  const now = {
    entry: after.entry.id === order.id ? result.order : after.entry,
    legs: after.legs.map((l) => (l.id === order.id ? result.order : l)),
  };
  return { order: result.order, work: await carryOutLegChanges(client, now, result.legs, venue) };
}

/** The exit-leg family a fill of `order` concerns (see FillInput): locked, as the leg changes write it. */
async function familyOf(client: PoolClient, order: ExecOrder): Promise<{ entry: ExecOrder; legs: ExecOrder[] } | null> {
  if (order.role === 'ENTRY')
    // Before its first fill an entry has no legs.
    return order.exitRules && order.filledQuantity.gt(0)
      ? { entry: order, legs: await legsOf(client, order.id) }
      : null;
  if (!isExitRole(order.role) || !order.parentOrderId) return null;
  const entry = await loadOrder(client, order.parentOrderId, true);
  return entry ? { entry, legs: await legsOf(client, entry.id) } : null;
}
