import { isUnplacedOrder, isWorkingOrder, TRADINGVIEW_ACTIONS, type NormalizedIngestRequest } from '@utm/contracts';

const isTradingViewAction = (action: string): boolean => (TRADINGVIEW_ACTIONS as readonly string[]).includes(action);
import { qty } from '@utm/trading';
import type { AccountState, OpenOrder } from './account-state';

/**
 * Deterministic sequencing: a signal is decided only once every earlier order of its account
 * in the same symbol has been worked by the venue, so that its outcome depends on the account's
 * earlier signals and the market, never on how fast the executor is. "Worked" means:
 *
 * - placed: nothing NEW (still to send) or SUBMITTING (sent, answer not recorded). On the paper
 *   engine a placed market order with a quote is filled in the same step; one that rests (a
 *   limit not reached, a market order before the first quote) is worked: a later close cancels
 *   it, a later open counts it.
 * - at an external venue, where fills arrive afterwards: a cancel asked of a working order is
 *   given `cancelWaitMs` to be confirmed (the order may fill meanwhile); and, for a signal sized
 *   from the position held (a close, a reverse, PERCENT_POSITION), a MARKET order accepted there
 *   `marketFillWaitMs` to report its fill (an open after an open decides the same either way:
 *   the projected position counts the order, filled or not). On paper a cancel takes effect when
 *   it is worked, and an order asked to cancel no longer trades, so it is already gone.
 *
 * Later signals of the account wait behind the first one that waits (acceptance order).
 */
export interface SettlementOptions {
  now: Date;
  marketFillWaitMs: number;
  cancelWaitMs: number;
}

export type Settlement = { settled: true } | { settled: false; reason: string; orderId: string };

/**
 * Whether the signal is sized from the position held, so that a fill still to come would change it.
 * TradingView's buy/sell and setPosition are resolved on the position held (tradingview.ts): always.
 */
export function usesHeldPosition(req: Pick<NormalizedIngestRequest, 'action' | 'quantityType'>): boolean {
  return (
    req.action.startsWith('close') ||
    req.action.startsWith('reverse') ||
    req.quantityType === 'PERCENT_POSITION' ||
    isTradingViewAction(req.action)
  );
}

function waitingOn(o: OpenOrder, external: boolean, held: boolean, opts: SettlementOptions): string | null {
  const what = `${o.role} ${o.side} ${qty(o.quantity)} ${o.symbol}`;
  if (isUnplacedOrder(o.status))
    return o.status === 'NEW' ? `${what} is still to be placed` : `${what} is being placed`;
  if (!external || !isWorkingOrder(o.status)) return null;
  const age = opts.now.getTime() - o.changedAt.getTime();
  if (o.cancelRequested && age < opts.cancelWaitMs) return `the cancel of ${what} is not confirmed yet`;
  if (
    held &&
    !o.cancelRequested &&
    o.type === 'MARKET' &&
    (o.role === 'ENTRY' || o.role === 'CLOSE') &&
    o.filledQuantity.lt(o.quantity) &&
    age < opts.marketFillWaitMs
  )
    return `${what} (market) has not reported its fill yet`;
  return null;
}

/** Whether a signal in `symbol` can be decided now, given the account's open orders. */
export function settlementOf(
  state: AccountState,
  symbol: string,
  req: Pick<NormalizedIngestRequest, 'action' | 'quantityType'>,
  opts: SettlementOptions,
): Settlement {
  const external = state.account.broker !== 'paper';
  const held = usesHeldPosition(req);
  for (const o of state.openOrders) {
    if (o.symbol !== symbol) continue;
    const reason = waitingOn(o, external, held, opts);
    if (reason) return { settled: false, reason, orderId: o.id };
  }
  return { settled: true };
}
