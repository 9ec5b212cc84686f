export * from './account-views';
export * from './account-repository';
export * from './subjects';
