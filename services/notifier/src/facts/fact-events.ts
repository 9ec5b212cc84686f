import { orderStatusEvent, signalStatusEvent, type EventType, type WebhookEventType } from '@utm/contracts';
import type { TradingState } from '@utm/db';

/**
 * Which recorded fact is which event: the whole of the producer's knowledge of the platform.
 * A fact is a row of an append-only table written in the transaction of the change it records
 * (signal_events with the signal's and its orders' transitions, account_events with a trading
 * state change); its `type` column says what happened. Adding an event is one line here, once
 * its fact is recorded.
 *
 * Not produced yet, for want of a recorded fact: `position.unprotected` (no fact says a
 * position lost its last exit) and a halt by a risk rule (no such rule yet; when one halts
 * through setTradingState with its name as the actor, the HALTED line below already covers it).
 */
export type FactSource = 'signal_events' | 'account_events';

/** What the event's `data` is: the read API's signal, order or account object. */
export type Subject = 'signal' | 'order' | 'account';

/** A fact's `type`: a signal event type (the lifecycles' closed list), or the trading state an account entered. */
export type FactRule =
  | { source: 'signal_events'; fact: EventType; event: WebhookEventType; subject: Subject }
  | { source: 'account_events'; fact: TradingState; event: WebhookEventType; subject: Subject };

export const FACT_EVENTS: readonly FactRule[] = [
  { source: 'signal_events', fact: signalStatusEvent('FILLED'), event: 'signal.filled', subject: 'signal' },
  { source: 'signal_events', fact: signalStatusEvent('REJECTED'), event: 'signal.rejected', subject: 'signal' },
  { source: 'signal_events', fact: signalStatusEvent('FAILED'), event: 'signal.failed', subject: 'signal' },
  { source: 'signal_events', fact: signalStatusEvent('CANCELLED'), event: 'signal.cancelled', subject: 'signal' },
  { source: 'signal_events', fact: signalStatusEvent('EXPIRED'), event: 'signal.expired', subject: 'signal' },
  // The contract: order.filled is every fill, exit legs included: a partial fill is a fill.
  { source: 'signal_events', fact: orderStatusEvent('FILLED'), event: 'order.filled', subject: 'order' },
  { source: 'signal_events', fact: orderStatusEvent('PARTIALLY_FILLED'), event: 'order.filled', subject: 'order' },
  // Recorded only when reconciliation found drift and corrected it.
  { source: 'signal_events', fact: 'RECONCILED', event: 'broker.reconciled', subject: 'order' },
  { source: 'account_events', fact: 'HALTED', event: 'account.halted', subject: 'account' },
];

export const FACT_SOURCES: readonly FactSource[] = [...new Set(FACT_EVENTS.map((r) => r.source))];

export function factTypesOf(source: FactSource): string[] {
  return FACT_EVENTS.filter((r) => r.source === source).map((r) => r.fact);
}

export function ruleFor(source: FactSource, fact: string): FactRule | undefined {
  return FACT_EVENTS.find((r) => r.source === source && r.fact === fact);
}
