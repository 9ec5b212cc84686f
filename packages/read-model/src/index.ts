export * from './account-views';
export * from './equity';
export * from './account-repository';
export * from './subjects';
