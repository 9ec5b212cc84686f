import type { PoolClient } from 'pg';
import type { LegChanges, NewLeg } from '../domain/fill';
import type { ExecOrder } from '../domain/order';
import { insertLeg } from '../repositories/leg-rows';
import { addEvent } from '../repositories/orders';
import { cancelLeg, type LegVenue } from './cancel-leg';
import { resizeLegs } from './leg-resize';

export type { LegVenue } from './cancel-leg';

/**
 * The exit-leg changes of a fill (domain/fill.ts's LegChanges), carried out at an external
 * broker: a new leg waits NEW for the account's executor to place it, a cancel is asked for, a
 * resize is a replacement order where the broker holds the leg (leg-resize.ts). Each returns
 * the ids of the orders that now need the account worked.
 */
/** New legs of `entry`, NEW, each with its event; a carried leg travels with its carrier (not worked itself). */
export async function createLegs(client: PoolClient, entry: ExecOrder, legs: readonly NewLeg[]): Promise<string[]> {
  const work: string[] = [];
  for (const n of legs) {
    await insertLeg(client, entry, n.draft, { id: n.id, carriedBy: n.carriedBy });
    await addEvent(client, entry.signalId, n.id, 'EXIT_LEG_CREATED', n.message);
    if (!n.carriedBy) work.push(n.id);
  }
  return work;
}

/**
 * All of a fill's leg changes, in order: cancels (one-cancels-other, the entry's rest), resizes,
 * new legs. `family` is the entry and its legs as they stand after the fill.
 */
export async function carryOutLegChanges(
  client: PoolClient,
  family: { entry: ExecOrder; legs: ExecOrder[] },
  changes: LegChanges,
  venue: LegVenue,
): Promise<string[]> {
  const find = (id: string) => (family.entry.id === id ? family.entry : family.legs.find((l) => l.id === id));
  const work: string[] = [];
  for (const c of changes.cancel) {
    const o = find(c.id);
    const w = o ? await cancelLeg(client, o, c.why) : null;
    if (w) work.push(w);
  }
  const { amendments, why, filledLegId } = changes.resize;
  if (amendments.length)
    work.push(...(await resizeLegs(client, family.legs, amendments, { ...venue, why, filledLegId })));
  work.push(...(await createLegs(client, family.entry, changes.create)));
  return work;
}
