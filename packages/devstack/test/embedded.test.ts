import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pidAlive, waitForPidExit } from '../src/proc';

/**
 * The fallbacks of a fresh machine, for real: an embedded Postgres (initdb as the postgres
 * user when we are root) and redis-server from PATH, under a temp directory on free ports.
 * They run in a child process (fixtures/embedded-child.js, on the built dist) so that we
 * can check nothing outlives it: once after a normal stop, once after SIGTERM.
 */
const PKG = path.resolve(__dirname, '..');
const CHILD = path.join(__dirname, 'fixtures', 'embedded-child.js');

interface ChildInfo {
  pg: string;
  redis: string;
  pgPid: number;
  redisPid: number;
  migrations: number;
  signalsTable: number;
  value: string;
}

function assertDistIsFresh(): void {
  for (const file of readdirSync(path.join(PKG, 'src')).filter((f) => f.endsWith('.ts'))) {
    const built = path.join(PKG, 'dist', file.replace(/\.ts$/, '.js'));
    if (!existsSync(built) || statSync(built).mtimeMs < statSync(path.join(PKG, 'src', file)).mtimeMs) {
      throw new Error(
        `packages/devstack/dist is older than src/${file}: run "npx tsc -p tsconfig.build.json" first (npm test builds)`,
      );
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the child; resolves with what it printed once the stores are up, and its exit. */
function runChild(args: string[]): {
  info: Promise<ChildInfo>;
  exit: Promise<number | null>;
  kill(): void;
  stderr(): string;
} {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exit = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );
  const info = new Promise<ChildInfo>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('\n')) resolve(JSON.parse(out.slice(0, out.indexOf('\n'))) as ChildInfo);
    });
    void exit.then((code) => reject(new Error(`child exited (${code}) before reporting:\n${err}`)));
  });
  return { info, exit, kill: () => child.kill('SIGTERM'), stderr: () => err };
}

let base: string;

beforeAll(() => {
  assertDistIsFresh();
  base = mkdtempSync(path.join(os.tmpdir(), 'devstack-embedded-')); // 0700: the code must open it up for postgres
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

it('starts an embedded Postgres and a redis-server, migrates, and leaves nothing behind', async () => {
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const expectInfo = (info: ChildInfo): void => {
    expect(info).toMatchObject({
      pg: `postgresql://postgres@127.0.0.1:${pgPort}/utm_test`,
      redis: `redis://127.0.0.1:${redisPort}`,
      signalsTable: 1,
      value: 'ok',
    });
    expect(info.migrations).toBeGreaterThan(0);
  };

  // 1. First start (initdb), normal stop.
  const first = runChild([base, String(pgPort), String(redisPort), 'stop']);
  const a = await first.info;
  expectInfo(a);
  expect(await first.exit).toBe(0);
  expect(first.stderr()).toMatch(/initialising an embedded Postgres/);
  expect(pidAlive(a.pgPid) || pidAlive(a.redisPid)).toBe(false);
  expect(existsSync(path.join(base, 'postgres-test', 'PG_VERSION'))).toBe(true);
  expect(readdirSync(base).filter((f) => f.endsWith('.instance.json'))).toEqual([]);

  // 2. Same data directory again (no initdb), stopped by SIGTERM.
  const second = runChild([base, String(pgPort), String(redisPort), 'signal']);
  const b = await second.info;
  expectInfo(b);
  expect(second.stderr()).not.toMatch(/initialising/);
  second.kill();
  expect(await second.exit).toBe(128 + 15);
  // The child waits for both before exiting; allow for the kernel's bookkeeping.
  expect(await waitForPidExit(b.pgPid, 5000)).toBe(true);
  expect(await waitForPidExit(b.redisPid, 5000)).toBe(true);
  expect(second.stderr()).toMatch(/SIGTERM received: stopping/);
}, 120000);
