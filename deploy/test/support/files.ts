import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The repository root, which is /app in the image (the Dockerfile's WORKDIR). */
export const ROOT = path.resolve(__dirname, '../../..');

export const readText = (rel: string): string => readFileSync(path.join(ROOT, rel), 'utf8');

/** YAML as docker compose reads it: YAML 1.1 merge keys (`<<: *anchor`) included. */
export const readYaml = (rel: string): unknown => YAML.parse(readText(rel), { merge: true });

/** `.env` lines as docker compose reads them: KEY=VALUE, comments and blank lines skipped. */
export function readDotenv(rel: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, raw] of readText(rel).split('\n').entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m?.[1]) throw new Error(`${rel}:${i + 1}: not KEY=VALUE: ${raw}`);
    if (out.has(m[1])) throw new Error(`${rel}:${i + 1}: ${m[1]} is set twice`);
    out.set(m[1], m[2] ?? '');
  }
  return out;
}
