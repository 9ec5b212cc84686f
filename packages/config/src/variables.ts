import { ConfigError, type Env } from './env';
import {
  loadCliConfig,
  loadExecutorConfig,
  loadGatewayConfig,
  loadMigrateConfig,
  loadNotifierConfig,
  loadProcessorConfig,
} from './services';

/**
 * The names of the environment variables a loader reads, found by running the loader itself
 * against an empty environment that records every lookup (a missing required variable is an
 * expected ConfigError here). Deployment files are checked against this, so there is no
 * second, hand-kept list of what each service understands. Loaders read every variable
 * unconditionally, which is what makes this complete.
 */
export function variablesReadBy(load: (env: Env) => unknown): string[] {
  const seen = new Set<string>();
  const recorder = new Proxy<Env>(
    {},
    {
      get(_target, key) {
        if (typeof key === 'string') seen.add(key);
        return undefined;
      },
    },
  );
  try {
    load(recorder);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
  }
  return [...seen].sort();
}

/** Every program that reads its configuration from the environment, by its deployment name. */
export const CONFIG_LOADERS = {
  'ingest-gateway': loadGatewayConfig,
  'signal-processor': loadProcessorConfig,
  'broker-executor': loadExecutorConfig,
  notifier: loadNotifierConfig,
  migrate: loadMigrateConfig,
  cli: loadCliConfig,
} as const;

export type ConfiguredProgram = keyof typeof CONFIG_LOADERS;

/** The variables each program knows, derived from its loader. */
export function configVariables(): Record<ConfiguredProgram, string[]> {
  const out = {} as Record<ConfiguredProgram, string[]>;
  for (const [name, load] of Object.entries(CONFIG_LOADERS) as [ConfiguredProgram, (env: Env) => unknown][])
    out[name] = variablesReadBy(load);
  return out;
}
