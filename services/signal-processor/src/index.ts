export { createSignalProcessor, type SignalProcessor, type ProcessorDeps } from './worker/create-worker';
export { processAccount } from './repositories/account-processor';
export * from './domain';
