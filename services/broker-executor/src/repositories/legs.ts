import { isExitRole } from '@utm/contracts';
import { randomUUID } from 'node:crypto';
import type { PoolClient } from 'pg';
import {
  onLegFill,
  planExitLegs,
  resizeLegsForEntryFill,
  type ExitLegDraft,
  type ExitLegsRouting,
} from '../domain/exit-legs';
import { asLeg, cancelLeg, insertLeg, legsOf, priceText, type LegMode } from './leg-rows';
import { resizeLegs, type LegVenue } from './leg-resize';
import { exitTermsOf } from './leg-terms';
import { addEvent, loadOrder, type ExecOrder } from './orders';

/**
 * Exit legs as order rows: created when an entry fills, resized when it fills further or when
 * one of them fills in part, one-cancels-other when one of them closes the position. On the
 * paper engine a leg rests at once and a cancel is immediate; at an external broker a new leg
 * waits NEW, a resize is a replacement row (leg-resize.ts) and a cancel is requested, for the
 * account's executor to carry out (the returned ids need the account worked).
 */
export type { LegMode } from './leg-rows';
export type { LegVenue } from './leg-resize';

async function createLeg(
  client: PoolClient,
  entry: ExecOrder,
  d: ExitLegDraft,
  mode: LegMode,
  id = randomUUID(),
  carriedBy: string | null = null,
): Promise<string> {
  await insertLeg(client, entry, d, { mode, id, carriedBy });
  const via = carriedBy ? `, one-cancels-other at the broker with ${carriedBy}` : '';
  await addEvent(
    client,
    entry.signalId,
    id,
    'EXIT_LEG_CREATED',
    `${d.role} ${d.side} ${d.quantity.toFixed()} ${entry.symbol} ${priceText(d)} GTC${via}`,
  );
  return id;
}

/**
 * After `order`'s fills are recorded (same transaction, account locked). Returns ids to work.
 * `venue.broker`: the external broker; where it has native OCO, the stop loss and take profit
 * are one OCO order there (the stop-loss row carried by the take-profit row).
 */
export async function afterFill(client: PoolClient, order: ExecOrder, venue: LegVenue): Promise<string[]> {
  if (order.role === 'ENTRY' && order.exitRules && order.avgFillPrice && order.filledQuantity.gt(0))
    return entryFilled(client, order, venue);
  if (isExitRole(order.role) && order.parentOrderId) return legFilled(client, order, venue);
  return [];
}

/** The drafts the broker can hold; the others are refused with an event saying why. */
async function placeable(
  client: PoolClient,
  entry: ExecOrder,
  routing: ExitLegsRouting | null,
  drafts: ExitLegDraft[],
): Promise<ExitLegDraft[]> {
  const out: ExitLegDraft[] = [];
  for (const d of drafts) {
    const leg = routing?.legs.find((l) => l.role === d.role);
    if (leg?.via !== 'UNSUPPORTED') out.push(d);
    else await addEvent(client, entry.signalId, entry.id, 'EXIT_RULE_REFUSED', `${d.role} not placed: ${leg.reason}`);
  }
  return out;
}

async function entryFilled(client: PoolClient, entry: ExecOrder, venue: LegVenue): Promise<string[]> {
  const { mode } = venue;
  const { fill, routing } = await exitTermsOf(client, entry, venue);
  if (!fill) return [];
  const existing = await legsOf(client, entry.id);
  const work: string[] = [];
  if (!existing.length) {
    const plan = planExitLegs(fill);
    if (!plan.ok) await addEvent(client, entry.signalId, entry.id, 'EXIT_RULE_REFUSED', plan.message);
    const drafts = await placeable(client, entry, routing, plan.legs);
    const target = drafts.find((d) => d.role === 'TAKE_PROFIT');
    const native =
      target !== undefined && drafts.some((d) => d.role === 'STOP_LOSS') && (routing?.ocoAfterFill ?? false);
    const targetId = randomUUID();
    for (const d of drafts) {
      if (native && d.role === 'STOP_LOSS') await createLeg(client, entry, d, mode, randomUUID(), targetId);
      else work.push(await createLeg(client, entry, d, mode, d === target ? targetId : randomUUID()));
    }
    return mode === 'paper' ? [] : work;
  }
  const resize = resizeLegsForEntryFill(existing.map(asLeg), fill);
  if (resize.message) await addEvent(client, entry.signalId, entry.id, 'NOTE', resize.message);
  work.push(
    ...(await resizeLegs(client, existing, resize.amend, {
      ...venue,
      why: `entry filled ${entry.filledQuantity.toFixed()}`,
    })),
  );
  for (const d of await placeable(client, entry, routing, resize.create))
    work.push(await createLeg(client, entry, d, mode));
  return mode === 'paper' ? [] : work;
}

/** "TAKE_PROFIT" → "take profit". */
const words = (role: string) => role.toLowerCase().replace(/_/g, ' ');

async function legFilled(client: PoolClient, leg: ExecOrder, venue: LegVenue): Promise<string[]> {
  const { mode } = venue;
  const entry = await loadOrder(client, leg.parentOrderId ?? '', true);
  if (!entry) return [];
  const siblings = await legsOf(client, entry.id);
  const result = onLegFill(siblings.map(asLeg), entry.filledQuantity, leg.id, leg.filledQuantity);
  const work: string[] = [];
  for (const id of result.cancel) {
    const sibling = siblings.find((s) => s.id === id);
    const w = sibling
      ? await cancelLeg(
          client,
          sibling,
          mode,
          `One-cancels-other: the ${words(leg.role)} filled, closing what its entry ${entry.side === 'BUY' ? 'bought' : 'sold'} (${entry.filledQuantity.toFixed()} ${entry.symbol}); this ${words(sibling.role)} is no longer needed`,
        )
      : null;
    if (w) work.push(w);
  }
  const changes = result.resize.map((r) => ({ id: r.id, quantity: r.quantity }));
  work.push(
    ...(await resizeLegs(client, siblings, changes, {
      ...venue,
      why: `${leg.role} closed part of the position`,
      filledLegId: leg.id,
    })),
  );
  if (result.cancelEntryRemainder && ['ACCEPTED', 'PARTIALLY_FILLED', 'NEW'].includes(entry.status)) {
    const w = await cancelLeg(
      client,
      entry,
      mode,
      `The ${words(leg.role)} closed what this entry had filled: its unfilled rest is cancelled`,
    );
    if (w) work.push(w);
  }
  if (result.excess.gt(0)) {
    await addEvent(
      client,
      leg.signalId,
      leg.id,
      'EXCESS_CLOSE',
      `Exit legs closed ${result.excess.toFixed()} beyond the position: the account now holds the other side; review it`,
    );
  }
  return work;
}
