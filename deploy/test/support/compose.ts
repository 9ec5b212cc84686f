import { readDotenv, readYaml } from './files';

/** The parts of a compose service these checks read. */
export interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
  expose?: string[];
  container_name?: string;
  profiles?: string[];
  stop_grace_period?: string;
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

// ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; $$ is a literal $.
const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}/g;

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}

/** Every variable the file interpolates, with whether it may be left empty (`:-`). */
export function referencedVariables(value: unknown): Map<string, { optional: boolean }> {
  const out = new Map<string, { optional: boolean }>();
  mapStrings(value, (s) => {
    for (const m of s.matchAll(REFERENCE)) {
      if (!m[1]) continue;
      const optional = m[2] === ':-' || m[2] === '-';
      out.set(m[1], { optional: (out.get(m[1])?.optional ?? true) && optional });
    }
    return s;
  });
  return out;
}

/** Compose's interpolation with `env` as the .env file: a `:?` variable unset or empty is an error. */
export function interpolate<T>(value: T, env: Map<string, string>): T {
  return mapStrings(value, (s) =>
    s.replace(REFERENCE, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
      if (!name) return '$';
      const v = env.get(name);
      const emptyCounts = op?.startsWith(':') ?? false;
      const missing = v === undefined || (emptyCounts && v === '');
      if (op?.endsWith('?') && missing) throw new Error(`${whole}: ${arg ?? `${name} is required`}`);
      if (op?.endsWith('-') && missing) return arg ?? '';
      return v ?? '';
    }),
  ) as T;
}

export interface LoadedCompose {
  /** As written (still holding ${…}). */
  raw: ComposeFile;
  /** Interpolated with .env.example, as `cp .env.example .env && docker compose up` would. */
  resolved: ComposeFile;
  dotenv: Map<string, string>;
}

export function loadCompose(): LoadedCompose {
  const raw = readYaml('docker-compose.yml') as ComposeFile;
  if (!raw || typeof raw.services !== 'object') throw new Error('docker-compose.yml has no services');
  const dotenv = readDotenv('.env.example');
  return { raw, resolved: interpolate(raw, dotenv), dotenv };
}

/** Services that run our image (built from the Dockerfile), by name. */
export function ourServices(c: ComposeFile): [string, ComposeService][] {
  return Object.entries(c.services).filter(([, s]) => s.build !== undefined);
}

/** The URL a `node -e "fetch('…')"` healthcheck asks. */
export function healthcheckUrl(s: ComposeService): URL {
  const test = s.healthcheck?.test ?? [];
  const m = /fetch\('([^']+)'\)/.exec(test.join(' '));
  if (!m?.[1]) throw new Error(`healthcheck ${JSON.stringify(test)} fetches no URL`);
  return new URL(m[1]);
}

/** Compose durations such as 40s, 1m30s, in milliseconds. */
export function durationMs(d: string): number {
  let ms = 0;
  for (const m of d.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s|us)/g))
    ms +=
      Number(m[1]) *
      (({ h: 3600000, m: 60000, s: 1000, ms: 1, us: 0.001 } as Record<string, number>)[m[2] ?? 's'] ?? 0);
  return ms;
}
