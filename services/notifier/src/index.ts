export { createNotifier, type Notifier, type NotifierDeps } from './worker/create-notifier';
export { FACT_EVENTS, type FactRule } from './facts/fact-events';
export { messageOf } from './delivery/messages';
