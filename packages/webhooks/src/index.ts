export * from './address-policy';
export * from './endpoint-urls';
export * from './deliveries';
export * from './views';
