import { EnvReader, loadCliConfig, type CliConfig, type Env } from '@utm/config';

/**
 * The CLI's one place that reads the environment: @utm/config's CLI settings plus the
 * BullMQ/pub-sub key prefix, which must match the services' QUEUE_PREFIX (default `{utm}`)
 * for `signal retry` and `key revoke` to reach them.
 */
export interface CliSettings extends CliConfig {
  queuePrefix: string;
}

export function loadSettings(env: Env = process.env): CliSettings {
  const base = loadCliConfig(env);
  const r = new EnvReader(env);
  const queuePrefix = r.str('QUEUE_PREFIX', '{utm}');
  r.done();
  return { ...base, queuePrefix };
}
