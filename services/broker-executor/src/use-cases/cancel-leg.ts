import type { PoolClient } from 'pg';
import type { Broker } from '../venues/broker/types';
import type { ExecOrder } from '../domain/order';
import { markCancelRequested } from '../repositories/leg-rows';
import { addEvent, updateOrder } from '../repositories/orders';

/** The external broker an account's exit legs work at. */
export interface LegVenue {
  broker: Pick<Broker, 'name' | 'capabilities'>;
}

/** Ends a leg never sent, or asks for its cancel at the broker; returns the id to work, if any. */
export async function cancelLeg(client: PoolClient, leg: ExecOrder, why: string): Promise<string | null> {
  if (leg.status === 'NEW') {
    await updateOrder(
      client,
      leg,
      { status: 'CANCELLED', errorCode: 'ORDER_CANCELLED', errorMessage: why },
      { type: 'ORDER_CANCELLED', message: why },
    );
    return null;
  }
  await markCancelRequested(client, leg.id);
  await addEvent(client, leg.signalId, leg.id, 'CANCEL_REQUESTED', why);
  return leg.id;
}
