import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveConsoleDir } from '../src/routes/console';
import { json, startGateway, type TestGateway } from './support/gateway';

/** The web console's static files under /app/, as the gateway serves a built dist/. */
const INDEX =
  '<!doctype html><title>utm console</title><script type="module" src="/app/assets/index-abc123.js"></script>';

let dir: string;
let gw: TestGateway;
let bare: TestGateway;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'console-dist-'));
  mkdirSync(path.join(dir, 'assets'));
  writeFileSync(path.join(dir, 'index.html'), INDEX);
  writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log("app")');
  gw = await startGateway({ consoleDir: dir });
  bare = await startGateway({ consoleDir: null });
});

afterAll(async () => {
  await gw.close();
  await bare.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (g: TestGateway, p: string) => fetch(g.url + p, { redirect: 'manual' });

it('redirects / and /app to /app/', async () => {
  for (const p of ['/', '/app']) {
    const res = await get(gw, p);
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/app/');
  }
  expect((await get(gw, '/app?x=1')).headers.get('location')).toBe('/app/?x=1');
});

it('serves index.html for /app/ and every client route, never cached, with a strict CSP', async () => {
  for (const p of ['/app/', '/app/signals/123', '/app/accounts/abc?x=1', '/app/index.html']) {
    const res = await get(gw, p);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.text()).toBe(INDEX);
  }
});

it('serves hashed assets for a year, and a missing asset is a 404 (not the page)', async () => {
  const res = await get(gw, '/app/assets/index-abc123.js');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/javascript/);
  expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  const missing = await get(gw, '/app/assets/index-nope.js');
  expect(missing.status).toBe(404);
  expect(await missing.json()).toMatchObject({ success: false, error: 'NOT_FOUND' });
});

it('without a built console, /app/ says so (503) and the API still works', async () => {
  const res = await get(bare, '/app/');
  expect(res.status).toBe(503);
  expect((await json(res)).message).toMatch(/not built.*npm run build/);
  expect((await get(bare, '/healthz')).status).toBe(200);
  expect((await get(bare, '/api/v1/accounts')).status).toBe(401);
});

it('finds the console in the dist/ of the @utm/web-console package, once it is built', () => {
  const pkg = path.dirname(require.resolve('@utm/web-console/package.json'));
  expect(pkg).toMatch(/web-console$/);
  const built = existsSync(path.join(pkg, 'dist', 'index.html'));
  expect(resolveConsoleDir()).toBe(built ? path.join(pkg, 'dist') : null);
});
