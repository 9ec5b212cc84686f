#!/usr/bin/env node
/**
 * `npm start`: finds or starts the dev stores and migrates (docs/contract.md, "Running"), runs every
 * built service (services/<name>/dist/main.js) with their output on ours, waits for the
 * gateway's /readyz, bootstraps demo credentials once (and on that first start gives the paper
 * market a price for the banner's symbol) and prints a ready-to-paste curl.
 * Ctrl-C / SIGTERM stop the services (bounded), then whatever stores we started.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { banner, bannerQuote, ensureBootstrap, ensureEncryptionKey, type Credentials } from './bootstrap';
import { loadDevstackConfig, type DevstackConfig } from './config';
import { exitOnSignals, stopAll, track } from './lifecycle';
import { DevstackError, errorMessage, say, shortPath } from './log';
import { dataDirOf, REPO_ROOT } from './paths';
import { discoverServices, GATEWAY, startServices, waitReady, type RunningService, type ServiceExit } from './services';
import { resolveStack, type Stack } from './stack';
import { removeStackFile, writeStackFile } from './stack-file';

export interface StartOptions {
  root?: string;
  config?: DevstackConfig;
  /** Where services are discovered (default `<root>/services`). */
  servicesDir?: string;
  /** The CLI's entry (default `<root>/packages/cli/dist/main.js`). */
  cliMain?: string;
  /** State: embedded stores, encryption key, bootstrap.json (default `<root>/.data`). */
  dataDir?: string;
  readyTimeoutMs?: number;
  /** Where the credentials banner goes (default stdout). */
  print?: (line: string) => void;
}

export interface Devstack {
  stack: Stack;
  services: RunningService[];
  gatewayUrl: string | undefined;
  credentials: Credentials | undefined;
  /** Resolves when a service exits without having been asked to. */
  unexpectedExit: Promise<ServiceExit>;
  /** Stops the services (SIGTERM, then SIGKILL after 35 s), then the stores we started. */
  stop(): Promise<void>;
}

export async function start(opts: StartOptions = {}): Promise<Devstack> {
  const root = opts.root ?? REPO_ROOT;
  const config = opts.config ?? loadDevstackConfig();
  const dataDir = opts.dataDir ?? dataDirOf(root);
  const print = opts.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const stack = await resolveStack({ purpose: 'dev', config, root, baseDir: dataDir });
  const env: Record<string, string | undefined> = {
    ...config.inheritedEnv,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    REDIS_CLUSTER_NODES: stack.redisClusterNodes,
    UTM_ENCRYPTION_KEY: ensureEncryptionKey(dataDir, config.encryptionKey),
    ...(config.logLevel ? { LOG_LEVEL: config.logLevel } : {}),
  };

  const specs = discoverServices(opts.servicesDir ?? path.join(root, 'services'), config.gatewayPort);
  const { services, stop: stopServices } = startServices(specs, env);
  if (specs.length) say(`started ${specs.map((s) => `${s.name} (port ${s.port})`).join(', ')}`);
  else say('no service is built (services/*/dist/main.js): only Postgres and Redis are up');
  writeStackFile(dataDir, {
    databaseUrl: stack.databaseUrl,
    redisUrl: stack.redisUrl,
    redisClusterNodes: stack.redisClusterNodes,
    gatewayUrl: undefined,
    owner: process.pid,
  });
  const forget = () => removeStackFile(dataDir, process.pid);
  // Also on Ctrl-C / SIGTERM, which stop through the lifecycle's tracked resources.
  const untrack = track({ name: 'stack.json', stop: async () => forget(), killNow: forget });
  const stop = async (): Promise<void> => {
    untrack();
    forget();
    await stopServices();
    await stack.stop();
  };
  const unexpectedExit = new Promise<ServiceExit>((resolve) => {
    for (const s of services) void s.exited.then((e) => !e.expected && resolve(e));
  });

  let gatewayUrl: string | undefined;
  let credentials: Credentials | undefined;
  try {
    const gateway = services.find((s) => s.spec.name === GATEWAY);
    if (!gateway) {
      say(`no ${GATEWAY} service: nothing serves the HTTP API, no demo credentials`);
    } else {
      await waitReady(gateway, opts.readyTimeoutMs ?? 30000);
      gatewayUrl = `http://localhost:${gateway.spec.port}`;
      writeStackFile(dataDir, {
        databaseUrl: stack.databaseUrl,
        redisUrl: stack.redisUrl,
        redisClusterNodes: stack.redisClusterNodes,
        gatewayUrl,
        owner: process.pid,
      });
      say(`${GATEWAY} is ready at ${gatewayUrl}`);
      credentials = await bootstrapAndPrint({ root, dataDir, env, gatewayUrl, cliMain: opts.cliMain, print });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { stack, services, gatewayUrl, credentials, unexpectedExit, stop };
}

async function bootstrapAndPrint(o: {
  root: string;
  dataDir: string;
  env: Record<string, string | undefined>;
  gatewayUrl: string;
  cliMain: string | undefined;
  print: (line: string) => void;
}): Promise<Credentials | undefined> {
  try {
    const boot = await ensureBootstrap({
      dataDir: o.dataDir,
      databaseUrl: o.env.DATABASE_URL ?? '',
      cliMain: o.cliMain ?? path.join(o.root, 'packages', 'cli', 'dist', 'main.js'),
      env: o.env,
      cwd: o.root,
    });
    if (!boot) return undefined;
    const quote = await bannerQuote(o.env.DATABASE_URL ?? '', !boot.reused);
    const readme = path.join(o.root, 'README.md');
    const saved = shortPath(o.root, path.join(o.dataDir, 'bootstrap.json'));
    for (const line of banner(boot.credentials, o.gatewayUrl, saved, existsSync(readme) ? readme : undefined, quote))
      o.print(line);
    return boot.credentials;
  } catch (err) {
    // The services are up and usable with credentials made by hand (npm run utm -- …).
    say(`${errorMessage(err)}; the services keep running, but without demo credentials`);
    return undefined;
  }
}

async function main(): Promise<void> {
  exitOnSignals();
  let dev: Devstack;
  try {
    dev = await start();
  } catch (err) {
    say(err instanceof DevstackError ? err.message : `npm start failed: ${errorMessage(err)}`);
    await stopAll();
    process.exit(1);
  }
  say('running; Ctrl-C stops everything');
  const exit = await dev.unexpectedExit;
  say(`${exit.name} exited unexpectedly (${exit.signal ?? `code ${exit.code}`}); stopping everything`);
  await stopAll();
  process.exit(1);
}

if (require.main === module) void main();
