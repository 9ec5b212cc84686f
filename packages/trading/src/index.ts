export * from './rounding';
export * from './exit-prices';
export * from './funds';
export * from './alpaca';
export * from './alpaca-guard';
