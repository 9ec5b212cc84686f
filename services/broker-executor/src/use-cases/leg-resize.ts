import type { PoolClient } from 'pg';
import type { EventType } from '@utm/contracts';
import { priceText, resizeLegsForEntryFill, type ExitLegDraft, type LegAmendment } from '../domain/exit-legs';
import { nativeGroup, resizedInPlaceMessage, resizeMethod, type ResizeVenue } from '../domain/leg-resize';
import { asLeg, type ExecOrder, type ReplaceMethod } from '../domain/order';
import { amendLeg, insertLeg, legsOf } from '../repositories/leg-rows';
import { addEvent, loadOrder, updateOrder } from '../repositories/orders';
import { cancelLeg, type LegVenue } from './cancel-leg';
import { exitTermsOf } from './leg-terms';
import { entryFillOf } from '../domain/fill';

/**
 * Exit legs at an external broker taking a new size: the row itself where nothing is sent (not
 * sent yet, nothing the broker holds changes), or a new row that replaces a leg working there
 * (domain/leg-resize.ts decides how). Each replacement is a row of its own, its id the client
 * order id of the new broker order, and it is written, with the old row's link, before anything
 * is sent: a crash or timeout in between leaves a row to resolve by that id, as for any placement.
 */
export interface ResizeContext extends LegVenue {
  /** Why the size changes, for the events. */
  why: string;
  /** The leg whose fill this follows, if any. */
  filledLegId?: string | null;
}

const venueOf = (v: LegVenue): ResizeVenue => ({
  broker: v.broker.name,
  replace: v.broker.capabilities.replace ?? null,
});
const working = (o: Pick<ExecOrder, 'quantity' | 'filledQuantity'>) => o.quantity.minus(o.filledQuantity).toFixed();

/** Applies `changes` to the entry's `legs`; returns the ids the account's executor must work. */
export async function resizeLegs(
  client: PoolClient,
  legs: ExecOrder[],
  changes: readonly LegAmendment[],
  ctx: ResizeContext,
): Promise<string[]> {
  const views = legs.map(asLeg);
  const work: string[] = [];
  const handled = new Set<string>();
  for (const change of changes) {
    const leg = legs.find((l) => l.id === change.id);
    if (!leg || handled.has(leg.id)) continue;
    const decision = resizeMethod(views, asLeg(leg), change, venueOf(ctx), ctx.filledLegId ?? null);
    const target = (change.quantity ?? leg.quantity).toFixed();
    switch (decision.method) {
      case 'SKIP':
        break;
      case 'IN_PLACE':
        await resizeInPlace(client, leg, change, `${ctx.why}; ${decision.reason}`);
        break;
      case 'DEFER':
      case 'KEEP':
        await addEvent(
          client,
          leg.signalId,
          leg.id,
          decision.method === 'DEFER' ? 'RESIZE_DEFERRED' : 'RESIZE_KEPT',
          `${leg.role} ${leg.quantity.toFixed()} → ${target} (${ctx.why}): ${decision.reason}`,
        );
        break;
      case 'AMEND':
        work.push(await replaceLeg(client, leg, change, { method: 'AMEND', ctx, reason: decision.reason }));
        break;
      case 'CANCEL_FIRST': {
        const group = nativeGroup(legs, leg);
        for (const m of group) handled.add(m.id);
        work.push(...(await cancelFirst(client, group.length ? group : [leg], changes, ctx, decision.reason)));
        break;
      }
    }
  }
  return work;
}

async function resizeInPlace(client: PoolClient, leg: ExecOrder, a: LegAmendment, why: string): Promise<void> {
  await amendLeg(client, a);
  await addEvent(client, leg.signalId, leg.id, 'EXIT_LEG_RESIZED', resizedInPlaceMessage(asLeg(leg), a, why));
}

/** The leg as it will be: its new size (what is left to work: its fills stay with it) and prices. */
function draftOf(leg: ExecOrder, a: LegAmendment): ExitLegDraft {
  return {
    role: leg.role as ExitLegDraft['role'],
    side: leg.side,
    type: leg.type as ExitLegDraft['type'],
    quantity: (a.quantity ?? leg.quantity).minus(leg.filledQuantity),
    limitPrice: a.limitPrice ?? leg.limitPrice,
    stopPrice: a.stopPrice ?? leg.stopPrice,
    trailPercent: leg.trailPercent,
    trailAmount: leg.trailAmount,
    trailReference: a.trailReference ?? leg.trailReference,
    timeInForce: 'GTC',
  };
}

interface ReplaceOptions {
  method: ReplaceMethod;
  ctx: ResizeContext;
  reason: string;
  carriedBy?: string;
  /** An OCO pair's legs share one quantity: the carrier's. */
  quantity?: ExitLegDraft['quantity'];
}

async function replaceLeg(client: PoolClient, leg: ExecOrder, a: LegAmendment, o: ReplaceOptions): Promise<string> {
  const d = draftOf(leg, a);
  if (o.quantity) d.quantity = o.quantity;
  const parent = {
    id: leg.parentOrderId ?? leg.id,
    signalId: leg.signalId,
    accountId: leg.accountId,
    symbol: leg.symbol,
  };
  const id = await insertLeg(client, parent, d, {
    carriedBy: o.carriedBy ?? null,
    replaces: { id: leg.id, method: o.method },
  });
  const how = o.method === 'AMEND' ? 'replaces this one' : 'will replace this one once its cancel is final';
  await addEvent(
    client,
    leg.signalId,
    leg.id,
    'RESIZE_REQUESTED',
    `${leg.role} ${working(leg)} → ${d.quantity.toFixed()} ${priceText(d)} (${o.ctx.why}): order ${id} ${how} (${o.reason})`,
  );
  return id;
}

/** New rows for the leg (or its whole OCO pair), then the old order's cancel; the new ones wait for it. */
async function cancelFirst(
  client: PoolClient,
  members: ExecOrder[],
  changes: readonly LegAmendment[],
  ctx: ResizeContext,
  reason: string,
): Promise<string[]> {
  const change = (m: ExecOrder): LegAmendment => changes.find((c) => c.id === m.id) ?? { id: m.id };
  const carrier = members.find((m) => m.carriedBy === null) ?? (members[0] as ExecOrder);
  const carrierId = await replaceLeg(client, carrier, change(carrier), { method: 'CANCEL_FIRST', ctx, reason });
  const quantity = draftOf(carrier, change(carrier)).quantity;
  for (const m of members)
    if (m !== carrier)
      await replaceLeg(client, m, change(m), { method: 'CANCEL_FIRST', ctx, reason, carriedBy: carrierId, quantity });
  const work: string[] = [];
  for (const m of members) {
    const id = await cancelLeg(
      client,
      m,
      `Cancelled to be placed again resized, as ${m === carrier ? carrierId : `a leg of ${carrierId}`} (${reason})`,
    );
    if (id && m === carrier) work.push(id);
  }
  return work;
}

/**
 * After a leg's placement or replacement is settled at the broker (answered, adopted, refused):
 * the entry's legs are sized again to what the entry filled and the legs closed, since fills
 * that arrived meanwhile could not resize a leg in flight (DEFER).
 */
export async function resyncLegs(client: PoolClient, leg: ExecOrder, venue: LegVenue): Promise<string[]> {
  const entry = leg.parentOrderId ? await loadOrder(client, leg.parentOrderId, true) : null;
  if (!entry?.avgFillPrice || !entry.exitRules) return [];
  const legs = await legsOf(client, entry.id);
  const fill = entryFillOf(entry, (await exitTermsOf(client, entry, venue)).terms);
  if (!fill) return [];
  const resize = resizeLegsForEntryFill(legs.map(asLeg), fill);
  return resizeLegs(client, legs, resize.amend, {
    ...venue,
    why: `entry filled ${entry.filledQuantity.toFixed()}, ${leg.role} settled at ${venue.broker.name}`,
  });
}

/** A replacement that will not be sent, or was refused: it ends (REJECTED: the broker refused it), and the event says why. */
export async function endReplacement(
  client: PoolClient,
  r: ExecOrder,
  status: 'REJECTED' | 'CANCELLED',
  event: EventType,
  why: string,
): Promise<void> {
  const errorCode = status === 'REJECTED' ? 'BROKER_ERROR' : 'ORDER_CANCELLED';
  await updateOrder(client, r, { status, errorCode, errorMessage: why }, { type: event, message: why });
}
