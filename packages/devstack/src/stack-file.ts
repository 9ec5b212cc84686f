import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pidAlive } from './proc';

/**
 * While `npm start` runs, `.data/stack.json` says which Postgres and Redis it uses, so that
 * `npm run utm -- …` in another terminal talks to the same stores (embedded ones included)
 * without the user copying URLs around.
 */
export interface StackRecord {
  databaseUrl: string;
  redisUrl: string;
  /** REDIS_CLUSTER_NODES when Redis is a cluster. */
  redisClusterNodes?: string | undefined;
  gatewayUrl: string | undefined;
  /** The `npm start` process. */
  owner: number;
}

export function stackFileOf(dataDir: string): string {
  return path.join(dataDir, 'stack.json');
}

export function writeStackFile(dataDir: string, rec: StackRecord): void {
  writeFileSync(stackFileOf(dataDir), `${JSON.stringify(rec)}\n`, { mode: 0o600 });
}

/** The record of a running `npm start`, or undefined (none, or its owner is gone). */
export function readStackFile(dataDir: string): StackRecord | undefined {
  const file = stackFileOf(dataDir);
  if (!existsSync(file)) return undefined;
  const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackRecord>;
  if (typeof rec.databaseUrl !== 'string' || typeof rec.redisUrl !== 'string' || typeof rec.owner !== 'number')
    return undefined;
  if (!pidAlive(rec.owner)) return undefined;
  const redisClusterNodes = typeof rec.redisClusterNodes === 'string' ? rec.redisClusterNodes : undefined;
  return {
    databaseUrl: rec.databaseUrl,
    redisUrl: rec.redisUrl,
    redisClusterNodes,
    gatewayUrl: rec.gatewayUrl,
    owner: rec.owner,
  };
}

export function removeStackFile(dataDir: string, owner: number): void {
  const file = stackFileOf(dataDir);
  try {
    const rec = JSON.parse(readFileSync(file, 'utf8')) as Partial<StackRecord>;
    if (rec.owner === owner) rmSync(file, { force: true });
  } catch {
    // No file (or not ours to remove): nothing to do.
  }
}
