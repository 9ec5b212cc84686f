export * from './api-keys';
export * from './secrets';
