export * from './rounding';
export * from './exit-prices';
