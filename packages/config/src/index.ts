export { ConfigError, EnvReader, type Env } from './env';
export * from './services';
