import { isTerminalOrder, type OrderStatus, type SignalStatus } from '@utm/contracts';

/**
 * A signal's status from its ENTRY and CLOSE orders (exit legs belong to the position, not
 * to the signal), docs/contract.md, "Lifecycles": PROCESSING while an order is still to be placed,
 * SUBMITTED once all are at the broker, PARTIALLY_FILLED, FILLED; FAILED when the broker
 * refused one (BROKER_ERROR); CANCELLED or EXPIRED when they ended without filling all.
 */
export type SignalStatusValue = Exclude<SignalStatus, 'PENDING' | 'REJECTED'>;

export interface SignalOrderState {
  status: OrderStatus;
  filledQuantity: { isZero(): boolean };
  errorCode: string | null;
  errorMessage: string | null;
}

export interface SignalOutcome {
  status: SignalStatusValue;
  errorCode: string | null;
  errorMessage: string | null;
}

export function signalOutcome(orders: SignalOrderState[]): SignalOutcome | null {
  if (!orders.length) return null;
  const ok = (status: SignalStatusValue): SignalOutcome => ({ status, errorCode: null, errorMessage: null });
  const rejected = orders.find((o) => o.status === 'REJECTED');
  if (rejected)
    return {
      status: 'FAILED',
      errorCode: rejected.errorCode ?? 'BROKER_ERROR',
      errorMessage: rejected.errorMessage ?? 'the broker refused the order',
    };
  const anyFilled = orders.some((o) => !o.filledQuantity.isZero());
  if (orders.every((o) => isTerminalOrder(o.status))) {
    if (orders.every((o) => o.status === 'FILLED')) return ok('FILLED');
    const expired = orders.find((o) => o.status === 'EXPIRED');
    const ended = expired ?? orders.find((o) => o.status === 'CANCELLED');
    return {
      status: expired ? 'EXPIRED' : 'CANCELLED',
      errorCode: expired ? 'ORDER_EXPIRED' : 'ORDER_CANCELLED',
      errorMessage: ended?.errorMessage ?? (anyFilled ? 'partly filled; the rest ended unfilled' : 'ended unfilled'),
    };
  }
  if (anyFilled) return ok('PARTIALLY_FILLED');
  if (orders.some((o) => o.status === 'NEW' || o.status === 'SUBMITTING')) return ok('PROCESSING');
  return ok('SUBMITTED');
}
