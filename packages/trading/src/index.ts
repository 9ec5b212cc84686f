export * from './rounding';
export * from './exit-prices';
export * from './instrument-rules';
export * from './venue-rules';
