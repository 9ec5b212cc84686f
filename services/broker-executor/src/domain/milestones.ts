import { isSignalOrderRole, isUnplacedOrder, isWorkingOrder, type OrderRole, type OrderStatus } from '@utm/contracts';

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
export const measuredRole = (role: OrderRole): boolean => isSignalOrderRole(role);

/** What an order's change of status from `before` to `after` reached. */
export function milestonesOf(before: OrderStatus, after: OrderStatus): MilestoneKind[] {
  const out: MilestoneKind[] = [];
  if (isUnplacedOrder(before) && (isWorkingOrder(after) || after === 'FILLED')) out.push('accepted');
  if (before !== 'FILLED' && after === 'FILLED') out.push('filled');
  return out;
}
