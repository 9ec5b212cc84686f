import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDevstackConfig, start, stopAll, type Devstack } from '@utm/devstack';
import { freePortBlock, isolatedDatabase, testRedisUrl, uniquePrefix, type IsolatedDatabase } from '@utm/testkit';

const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const CLI = path.join(ROOT, 'packages', 'cli', 'dist', 'main.js');

/** What a newcomer reads in `npm start`'s banner. */
export interface Banner {
  lines: string[];
  apiKey: string;
  accountId: string;
  /** The ready-to-paste curl's URL and JSON body. */
  ingestUrl: string;
  body: Record<string, unknown>;
  consoleUrl: string;
}

function parseBanner(lines: string[]): Banner {
  const text = lines.join('\n');
  const curl = /curl -sS -X POST (\S+) -H 'Content-Type: application\/json' -H 'X-API-Key: (\S+)' -d '(\{.*\})'/.exec(
    text,
  );
  const consoleUrl = /^\s+(http:\/\/\S+\/app\/)$/m.exec(text);
  const account = /accountId:\s+(\S+)/.exec(text);
  if (!curl || !consoleUrl || !account)
    throw new Error(`npm start's banner lacks the curl or the console URL:\n${text}`);
  return {
    lines,
    ingestUrl: curl[1] ?? '',
    apiKey: curl[2] ?? '',
    body: JSON.parse(curl[3] ?? '{}') as Record<string, unknown>,
    consoleUrl: consoleUrl[1] ?? '',
    accountId: account[1] ?? '',
  };
}

/**
 * `npm start`'s stack for real (packages/devstack): the built gateway (serving the built console),
 * processor, executor and notifier as processes, the CLI's bootstrap, on a database of their own (the
 * paper engine acts on every resting order it sees) and a queue prefix of their own.
 */
export class NpmStartStack {
  banner!: Banner;
  private dev: Devstack | undefined;
  private database: IsolatedDatabase | undefined;
  private dataDir = '';
  private env: Record<string, string | undefined> = {};
  /** Set when a service died: every later wait fails with it instead of a timeout. */
  crashed: string | undefined;

  async start(): Promise<this> {
    this.database = await isolatedDatabase('console');
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), 'console-e2e-'));
    this.env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATABASE_URL: this.database.url,
      REDIS_URL: testRedisUrl(),
      // The gateway's port and the three after it (npm start gives them to the workers).
      PORT: String(await freePortBlock(4)),
      // The console test's webhook receiver listens on 127.0.0.1.
      WEBHOOK_ALLOW_PRIVATE: 'true',
      QUEUE_PREFIX: `{${uniquePrefix('console')}}`,
      LOG_LEVEL: 'warn',
    };
    const lines: string[] = [];
    this.dev = await start({
      root: ROOT,
      config: loadDevstackConfig(this.env),
      dataDir: this.dataDir,
      print: (l) => lines.push(l),
      readyTimeoutMs: 60000,
    });
    void this.dev.unexpectedExit.then(
      (e) => (this.crashed = `${e.name} exited on its own (${e.signal ?? `code ${e.code}`}); its output is above`),
    );
    this.banner = parseBanner(lines);
    return this;
  }

  /** `npm run utm -- <args> --json` against this stack. */
  utm(...args: string[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        [CLI, ...args, '--json'],
        { env: this.env, cwd: ROOT, timeout: 30000 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`utm ${args.join(' ')} failed: ${stderr || stdout}`));
          else resolve(JSON.parse(stdout) as unknown);
        },
      );
    });
  }

  /** POST /api/v1/signals/ingest exactly as the banner's curl does, with `extra` fields. */
  async send(extra: Record<string, unknown> = {}): Promise<string> {
    const res = await fetch(this.banner.ingestUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': this.banner.apiKey },
      body: JSON.stringify({ ...this.banner.body, ...extra }),
    });
    const json = (await res.json()) as { signalId?: string };
    if (res.status !== 202 || !json.signalId) throw new Error(`ingest answered ${res.status}: ${JSON.stringify(json)}`);
    return json.signalId;
  }

  async signal(id: string): Promise<{ status: string; error?: { code: string } }> {
    const res = await fetch(this.banner.ingestUrl.replace('/ingest', `/${id}`), {
      headers: { 'X-API-Key': this.banner.apiKey },
    });
    return (await res.json()) as { status: string; error?: { code: string } };
  }

  /** Waits until the signal is in one of `statuses` (through the HTTP API). */
  async until(
    id: string,
    statuses: string[],
    timeoutMs = 30000,
  ): Promise<{ status: string; error?: { code: string } }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.signal(id);
      if (statuses.includes(s.status)) return s;
      if (this.crashed) throw new Error(this.crashed);
      if (Date.now() > deadline) throw new Error(`signal ${id} is ${s.status}, not ${statuses.join('/')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await this.dev?.stop();
    await stopAll();
    await this.database?.drop();
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
  }
}
