export * from './rounding';
export * from './exit-prices';
export * from './funds';
export * from './instrument-rules';
export * from './venue-rules';
export * from './alpaca';
export * from './alpaca-guard';
