export * from './types';
export * from '@utm/trading';
export * from './position-rules';
export * from './sizing';
export * from './tradingview';
export * from './decide';
export * from './account-state';
export * from './settlement';
