export { loadDevstackConfig, type DevstackConfig } from './config';
export {
  resolvePostgres,
  resolveRedis,
  resolveStack,
  EMBEDDED_PORTS,
  type Purpose,
  type ResolveOptions,
  type ResolvedStore,
  type Stack,
} from './stack';
export { stopAll, track, exitOnSignals, type Resource } from './lifecycle';
export { DevstackError, redactUrl } from './log';
export { summarizeReports, readResultsDir, summaryLine, type ResultSummary } from './jest-results';
export { start, type Devstack, type StartOptions } from './start';
export { runTests } from './test';
