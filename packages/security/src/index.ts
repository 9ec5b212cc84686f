export * from './api-keys';
export * from './secrets';
export * from './ccxt-credentials';
