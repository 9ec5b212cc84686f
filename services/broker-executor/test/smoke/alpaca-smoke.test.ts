import { spawn } from 'node:child_process';
import path from 'node:path';
import { assertBuilt, REPO_ROOT, startAlpacaServer, type AlpacaTestServer } from '@utm/testkit';

const SCRIPT = path.join(REPO_ROOT, 'services', 'broker-executor', 'dist', 'smoke', 'alpaca-smoke.js');

function run(env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { PATH: process.env.PATH ?? '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/**
 * `npm run alpaca:smoke` is meant for a user's own Alpaca paper account; here it runs, as built,
 * against the strict Alpaca contract server, whose rules come from the same documentation: every
 * answer must be the one the platform expects.
 */
describe('npm run alpaca:smoke, against the Alpaca contract server', () => {
  let server: AlpacaTestServer;
  beforeAll(async () => {
    assertBuilt('broker-executor');
    server = await startAlpacaServer({ pendingCancelMs: 50 });
    server.marketFills.set('BTC/USD', '43000');
  });
  afterAll(() => server.close());

  it('places and cancels its tiny orders and finds every answer as expected', async () => {
    const r = await run({
      APCA_API_KEY_ID: server.keyId,
      APCA_API_SECRET_KEY: server.secretKey,
      APCA_API_BASE_URL: server.url,
    });
    expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: '' });
    expect(r.out).toContain('every answer as expected');
    for (const step of [
      'sub-penny limit',
      'cancel',
      'fraction GTC',
      'crypto DAY',
      'a second closing order',
      'opposite a working order',
      'sold back',
    ])
      expect(r.out).toMatch(new RegExp(`^ok +${step}: `, 'm'));
    expect(r.out).not.toContain(server.secretKey);
    // Nothing left working, nothing left held.
    expect([...server.book.orders.values()].filter((o) => server.book.isOpen(o))).toEqual([]);
    expect(server.book.positions.get('BTC/USD')).toBeUndefined();
  });

  it('refuses the live endpoint, and says which variable is missing', async () => {
    const live = await run({
      APCA_API_KEY_ID: 'k',
      APCA_API_SECRET_KEY: 's',
      APCA_API_BASE_URL: 'https://api.alpaca.markets',
    });
    expect(live.code).toBe(2);
    expect(live.err).toMatch(/live endpoint/);
    const missing = await run({ APCA_API_KEY_ID: 'k' });
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/APCA_API_SECRET_KEY is required/);
  });
});
