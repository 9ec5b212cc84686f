import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A checkout inside a private directory (root's home is mode 700, and so is a `mktemp -d`
 * folder): as root the embedded Postgres runs as the postgres user, who cannot enter it. The
 * checkout is copied as it is (hard links: instant) into a fresh 0700 folder and the fallback
 * stack of `npm start`/`npm test` (forced embedded Postgres and redis-server, migrated) is run
 * from there, by the copy's own built dist and node_modules: it must come up, with the binaries
 * and data moved where that user can reach them when we are root.
 */
const REPO = path.resolve(__dirname, '..', '..', '..');

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

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

let privateDir: string;
let relocated: string | undefined;

beforeAll(() => {
  privateDir = mkdtempSync(path.join(os.tmpdir(), 'utm-private-'));
  expect(statSync(privateDir).mode & 0o777).toBe(0o700);
  const clone = path.join(privateDir, 'utm');
  for (const part of ['node_modules', 'packages', 'prisma']) {
    execFileSync('mkdir', ['-p', clone]);
    execFileSync('cp', ['-al', path.join(REPO, part), path.join(clone, part)], { stdio: 'ignore' });
  }
});

afterAll(() => {
  rmSync(privateDir, { recursive: true, force: true });
  if (relocated) rmSync(relocated, { recursive: true, force: true });
});

it('runs the embedded Postgres and Redis fallback from a checkout in a 0700 folder', async () => {
  const clone = path.join(privateDir, 'utm');
  const child = path.join(clone, 'packages', 'devstack', 'test', 'fixtures', 'embedded-child.js');
  expect(existsSync(path.join(clone, 'packages', 'devstack', 'dist', 'index.js'))).toBe(true);
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  const r = await run(child, [path.join(clone, '.data'), String(pgPort), String(redisPort), 'stop']);
  const where = /keeps its data in (\S+)\/postgres-test/.exec(r.stderr);
  relocated = where?.[1];
  expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
  expect(JSON.parse(r.stdout.split('\n')[0] ?? '{}')).toMatchObject({
    pg: `postgresql://postgres@127.0.0.1:${pgPort}/utm_test`,
    signalsTable: 1,
    value: 'ok',
  });
  if (process.getuid?.() === 0) {
    // The postgres user could not have entered the clone: its data went where it can.
    expect(r.stderr).toContain(`the postgres user cannot enter ${privateDir}`);
    expect(relocated).toBeDefined();
    expect(existsSync(path.join(String(relocated), 'postgres-test', 'PG_VERSION'))).toBe(true);
    expect(existsSync(path.join(clone, '.data', 'postgres-test'))).toBe(false);
  }
}, 180000);
