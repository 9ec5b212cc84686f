import { loadCliConfig, type CliConfig, type Env } from '@utm/config';

/**
 * The CLI's settings: @utm/config's CLI loader (stores, QUEUE_PREFIX, REDIS_CLUSTER_NODES,
 * the credentials key), the one place it reads the environment. QUEUE_PREFIX must match the
 * services' (default `{utm}`) for `signal retry` and `key revoke` to reach them.
 */
export type CliSettings = CliConfig;

export function loadSettings(env: Env = process.env): CliSettings {
  return loadCliConfig(env);
}
