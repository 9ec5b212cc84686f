export * from './rounding';
export * from './exit-prices';
export * from './alpaca';
export * from './alpaca-guard';
