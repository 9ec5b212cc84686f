export * from './errors';
export * from './ingest-schema';
export * from './ingest-validator';
export * from './jobs';
export * from './channels';
export * from './read-views';
export * from './lifecycles';
