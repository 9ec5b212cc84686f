#!/usr/bin/env node
/**
 * `npm run utm -- <command>`: the ops CLI, pointed at the stores `npm start` is using.
 * DATABASE_URL / REDIS_URL (and REDIS_CLUSTER_NODES) when set; else the running `npm start`
 * (.data/stack.json, which also covers embedded stores and a Redis Cluster); else the local
 * services on their standard ports. The local
 * encryption key in .data is passed on, so broker credentials stored here can be read by the
 * services npm start runs. Nothing is written to stdout but the CLI's own output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadDevstackConfig } from './config';
import { dataDirOf, REPO_ROOT } from './paths';
import { probePostgres, probeRedis } from './probe';
import { readStackFile } from './stack-file';

const LOCAL_DATABASE = 'postgresql://postgres@127.0.0.1:5432/utm';

export async function cliEnvironment(root: string): Promise<Record<string, string | undefined> | string> {
  const cfg = loadDevstackConfig();
  const dataDir = dataDirOf(root);
  const env: Record<string, string | undefined> = { ...cfg.inheritedEnv };
  if (cfg.databaseUrl) {
    env.DATABASE_URL = cfg.databaseUrl;
    if (cfg.redisUrl) env.REDIS_URL = cfg.redisUrl;
  } else {
    const running = readStackFile(dataDir);
    if (running) {
      env.DATABASE_URL = running.databaseUrl;
      env.REDIS_URL = cfg.redisUrl ?? running.redisUrl;
      // The running npm start's cluster, unless the user names a Redis of their own.
      if (!cfg.redisUrl) env.REDIS_CLUSTER_NODES = running.redisClusterNodes;
    } else if ((await probePostgres(LOCAL_DATABASE)).ok) {
      env.DATABASE_URL = LOCAL_DATABASE;
      if (cfg.redisUrl) env.REDIS_URL = cfg.redisUrl;
      else if ((await probeRedis(6379)).ok) env.REDIS_URL = 'redis://127.0.0.1:6379';
      // Cluster nodes belong with the user's REDIS_URL, not with the local Redis.
      if (!cfg.redisUrl) delete env.REDIS_CLUSTER_NODES;
    } else {
      return 'no database to talk to: run `npm start` first (in another terminal), or set DATABASE_URL';
    }
  }
  const keyFile = path.join(dataDir, 'encryption.key');
  if (!cfg.encryptionKey && existsSync(keyFile)) env.UTM_ENCRYPTION_KEY = readFileSync(keyFile, 'utf8').trim();
  return env;
}

async function main(): Promise<number> {
  const env = await cliEnvironment(REPO_ROOT);
  if (typeof env === 'string') {
    process.stderr.write(`utm: ${env}\n`);
    return 1;
  }
  const cli = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'main.js');
  const run = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], { stdio: 'inherit', env });
  if (run.error) {
    process.stderr.write(`utm: could not run the CLI (${run.error.message}); build it with npm run build\n`);
    return 1;
  }
  return run.status ?? 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`utm: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
