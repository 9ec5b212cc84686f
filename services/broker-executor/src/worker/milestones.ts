import type { OrderRole, OrderStatus } from '../repositories/orders';

/**
 * The two moments of an ENTRY/CLOSE order that end-to-end latency is measured to: the broker
 * accepted it, and it is completely filled. Venues report them once their transaction has
 * committed, with the signal's receipt time at the gateway.
 */
export type MilestoneKind = 'accepted' | 'filled';

export interface Milestone {
  kind: MilestoneKind;
  broker: string;
  role: OrderRole;
  receivedAt: Date;
}

export type MilestoneSink = (m: Milestone) => void;

/** Only a signal's own orders count: exit legs belong to the position, not to a signal's latency. */
export const measuredRole = (role: OrderRole): boolean => role === 'ENTRY' || role === 'CLOSE';

const NOT_YET_AT_BROKER: OrderStatus[] = ['NEW', 'SUBMITTING'];
const AT_BROKER: OrderStatus[] = ['ACCEPTED', 'PARTIALLY_FILLED', 'FILLED'];

/** What an order's change of status from `before` to `after` reached. */
export function milestonesOf(before: OrderStatus, after: OrderStatus): MilestoneKind[] {
  const out: MilestoneKind[] = [];
  if (NOT_YET_AT_BROKER.includes(before) && AT_BROKER.includes(after)) out.push('accepted');
  if (before !== 'FILLED' && after === 'FILLED') out.push('filled');
  return out;
}
