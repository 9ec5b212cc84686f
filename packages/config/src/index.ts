export { ConfigError, EnvReader, type Env } from './env';
export * from './services';
export { variablesReadBy, configVariables, CONFIG_LOADERS, type ConfiguredProgram } from './variables';
export {
  CLUSTER_NODES_VARIABLE,
  clusterPrefixProblem,
  hashTagOf,
  parseSeed,
  type RedisSeed,
  type RedisTarget,
} from './redis';
export { loadAlpacaSmokeConfig, ALPACA_LIVE_HOST, type AlpacaSmokeConfig } from './alpaca-smoke';
