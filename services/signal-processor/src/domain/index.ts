export * from './types';
export * from './rounding';
export * from './exit-prices';
export * from './position-rules';
export * from './sizing';
export * from './risk';
export * from './decide';
export * from './account-state';
