export * from './rounding';
export * from './exit-prices';
export * from './funds';
