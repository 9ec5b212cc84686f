import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { isolatedDatabase, testRedisUrl, type IsolatedDatabase } from '@utm/testkit';
import { loadDevstackConfig } from '../src/config';
import { stopAll } from '../src/lifecycle';
import { pidAlive } from '../src/proc';
import { start } from '../src/start';

/**
 * `npm start` against fake services and a fake CLI in a temp directory (the real ones are
 * other packages): discovery, env, /readyz, bootstrap once then reuse, orderly stop, crash.
 */
const GATEWAY = `
const http = require('node:http');
const port = Number(process.env.PORT);
const ready = Date.now() + 500;
http.createServer((req, res) => { res.statusCode = req.url === '/readyz' && Date.now() > ready ? 200 : 503; res.end(); })
  .listen(port, () => console.log(JSON.stringify({ msg: 'listening', port, db: process.env.DATABASE_URL,
    redis: process.env.REDIS_URL, key: (process.env.UTM_ENCRYPTION_KEY || '').length })));
process.on('SIGTERM', () => { console.log('draining'); setTimeout(() => process.exit(0), 200); });
`;
const WORKER = `
console.log('worker on ' + process.env.OPS_PORT);
if (process.env.FAKE_CRASH) setTimeout(() => process.exit(3), 300);
setInterval(() => undefined, 1000);
`;
const cli = (): string => `
const { Client } = require(${JSON.stringify(require.resolve('pg'))});
(async () => {
  const c = new Client({ connectionString: process.env.DATABASE_URL });
  await c.connect();
  const u = (await c.query("INSERT INTO users (name) VALUES ('demo') RETURNING id")).rows[0].id;
  const a = (await c.query("INSERT INTO accounts (user_id, name, mode, broker, cash) VALUES ($1, 'demo', 'PAPER', 'paper', 1000) RETURNING id", [u])).rows[0].id;
  await c.end();
  console.log(JSON.stringify({ userId: u, accountId: a, apiKey: 'utm_paper_' + process.argv.slice(2).join('_') }));
})();
`;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

let dir: string;
let lines: string[];

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'devstack-start-'));
  for (const [name, code] of [
    ['ingest-gateway', GATEWAY],
    ['signal-processor', WORKER],
  ] as const) {
    mkdirSync(path.join(dir, 'services', name, 'dist'), { recursive: true });
    writeFileSync(path.join(dir, 'services', name, 'dist', 'main.js'), code);
  }
  mkdirSync(path.join(dir, 'services', 'not-built')); // no dist/main.js: not a service yet
  writeFileSync(path.join(dir, 'cli.js'), cli());
  lines = [];
});

afterEach(async () => {
  await stopAll();
  rmSync(dir, { recursive: true, force: true });
});

let database: IsolatedDatabase | undefined;
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

/** A database of the test's own: a first start seeds the paper market's quote of the banner's symbol. */
async function ownDatabase(): Promise<string> {
  database = await isolatedDatabase('devstack');
  return database.url;
}

async function startHere(extraEnv: Record<string, string> = {}) {
  const port = await freePort();
  const config = loadDevstackConfig({
    PATH: process.env.PATH,
    DATABASE_URL: database?.url ?? (await ownDatabase()),
    REDIS_URL: testRedisUrl(),
    PORT: String(port),
    ...extraEnv,
  });
  const dev = await start({
    root: dir,
    config,
    servicesDir: path.join(dir, 'services'),
    cliMain: path.join(dir, 'cli.js'),
    dataDir: path.join(dir, 'data'),
    print: (l) => lines.push(l),
  });
  return { dev, port };
}

it('runs every built service, bootstraps once, prints a curl and stops the services', async () => {
  const url = await ownDatabase();
  const { dev, port } = await startHere({ DATABASE_URL: url });
  expect(dev.services.map((s) => [s.spec.name, s.spec.port])).toEqual([
    ['ingest-gateway', port],
    ['signal-processor', port + 1],
  ]);
  expect(dev.gatewayUrl).toBe(`http://localhost:${port}`);
  const creds = dev.credentials;
  expect(creds?.apiKey).toBe('utm_paper_bootstrap_--json');
  const text = lines.join('\n');
  expect(text).toContain(
    `curl -sS -X POST http://localhost:${port}/api/v1/signals/ingest -H 'Content-Type: application/json' -H 'X-API-Key: ${creds?.apiKey}'`,
  );
  expect(text).toContain(`"accountId":"${creds?.accountId}"`);
  expect(text).toContain(`http://localhost:${port}/api/v1/signals/<signalId>`);
  expect(text).toContain(`  http://localhost:${port}/app/\n`);
  // The first start gives the paper market a price for the banner's symbol: its curl fills at once.
  expect(text).toContain('The paper market quotes AAPL at 150.25: the order fills at once (FILLED).');

  const key = path.join(dir, 'data', 'encryption.key');
  const saved = path.join(dir, 'data', 'bootstrap.json');
  expect(readFileSync(key, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
  expect(statSync(key).mode & 0o777).toBe(0o600);
  expect(statSync(saved).mode & 0o777).toBe(0o600);

  const pids = dev.services.map((s) => s.pid as number);
  await dev.stop();
  expect(pids.filter(pidAlive)).toEqual([]);
  expect((await dev.services[0]?.exited)?.expected).toBe(true);

  // Second start: same account still exists, so the saved credentials are reused; the market
  // keeps the price it has now (nothing is seeded again).
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`UPDATE quotes SET price = 151 WHERE symbol = 'AAPL'`);
  lines.length = 0;
  const again = await startHere({ DATABASE_URL: url });
  expect(again.dev.credentials).toEqual(creds);
  expect(lines.join('\n')).toContain('The paper market quotes AAPL at 151: the order fills at once (FILLED).');
  // Without any quote, the banner says the order will wait, and how to give it a price.
  await c.query(`DELETE FROM quotes WHERE symbol = 'AAPL'`);
  await c.end();
  await again.dev.stop();
  lines.length = 0;
  const third = await startHere({ DATABASE_URL: url });
  expect(lines.join('\n')).toContain(
    'The paper market has no price for AAPL yet: the order waits (SUBMITTED) until you give it one:\n  npm run utm -- quote set --symbol AAPL --price 150.25',
  );
  await third.dev.stop();
}, 90000);

it('never moves a price the market already has on a first start', async () => {
  const url = await ownDatabase();
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query(`INSERT INTO quotes (symbol, price) VALUES ('AAPL', 199.5)`);
  await c.end();
  const { dev } = await startHere({ DATABASE_URL: url });
  expect(lines.join('\n')).toContain('The paper market quotes AAPL at 199.5:');
  await dev.stop();
}, 60000);

it('reports a service that exits on its own', async () => {
  const { dev } = await startHere({ FAKE_CRASH: '1' });
  const exit = await dev.unexpectedExit;
  expect(exit).toMatchObject({ name: 'signal-processor', code: 3, expected: false });
  await dev.stop();
}, 60000);
