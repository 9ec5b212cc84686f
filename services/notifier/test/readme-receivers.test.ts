import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO_ROOT } from '@utm/testkit';
import { Harness } from './support/harness';

/**
 * The README's two receivers ("Verifying a webhook"), run as written against real deliveries:
 * the signed event is accepted and printed, a tampered one refused. The code is taken from the
 * README itself, so the page cannot drift from what works.
 */
function block(marker: string): string {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const re = /```(?:js|python)\n([\s\S]*?)```/g;
  for (let m = re.exec(readme); m; m = re.exec(readme)) if (m[1]?.startsWith(marker)) return m[1];
  throw new Error(`README has no code block starting with ${marker}`);
}

let h: Harness;
let dir: string;
beforeAll(async () => {
  h = await new Harness().start();
  dir = mkdtempSync(path.join(os.tmpdir(), 'receivers-'));
  // As after `npm install standardwebhooks` beside it: the repository's copy.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  file: string,
  command: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; out: () => string }> {
  let out = '';
  const child = spawn(command, [file], {
    cwd: dir,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 15000;
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${env.PORT}/`, { method: 'POST', body: '{}' }).then(
      (r) => r.status,
      () => 0,
    );
    if (up) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`${file} did not start: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, out: () => out };
}

it.each([
  ['receiver.mjs', '// receiver.mjs', process.execPath],
  ['receiver.py', '# receiver.py', 'python3'],
])('%s accepts a real signed delivery and refuses a tampered one', async (name, marker, command) => {
  const f = await h.fixture();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const ep = await h.endpoint(f.userId, url, ['signal.filled']);
  const file = path.join(dir, name);
  writeFileSync(file, block(marker));
  const { child, out } = await run(file, command, { WEBHOOK_SECRET: ep.secret, PORT: String(port) });
  try {
    const signal = await h.signal(f, 'AAPL');
    await h.db.prisma.signal.update({ where: { id: signal }, data: { status: 'FILLED' } });
    await h.db.pool.query(
      "INSERT INTO signal_events (signal_id, type, message) VALUES ($1, 'FILLED', 'Signal FILLED')",
      [signal],
    );
    const [d] = await h.until(
      'delivered',
      () => h.deliveriesOf(ep.id),
      (ds) => ds[0]?.status === 'DELIVERED',
    );
    expect(d?.lastStatusCode).toBe(204);
    await h.until('printed', out, (o) => o.includes('signal.filled AAPL FILLED'));
    // The same body with another signature, and a replay of the real one with a changed body.
    const attempt = d?.attemptRows[0];
    expect(attempt?.statusCode).toBe(204);
    const forged = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': String(d?.eventId),
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      },
      body: JSON.stringify(d?.payload),
    });
    expect(forged.status).toBe(400);
    expect(await forged.text()).toMatch(/^refused: /);
    expect(out().match(/signal\.filled/g)).toHaveLength(1);
  } finally {
    child.kill();
  }
});
