#!/usr/bin/env node
import { createDb, type Db } from '@utm/db';
import { loadSettings, type CliSettings } from './config';
import { run } from './program';

/** `npm run utm -- <command> [--json]`: wires the environment, runs, sets the exit code. */
async function main(): Promise<number> {
  let settings: CliSettings | undefined;
  let db: Db | undefined;
  const deps = {
    out: (s: string) => void process.stdout.write(s),
    err: (s: string) => void process.stderr.write(s),
    settings: () => (settings ??= loadSettings(process.env)),
    db: (s: CliSettings) =>
      (db ??= createDb({
        url: s.databaseUrl,
        poolMax: 2,
        connectTimeoutMs: 3000,
        applicationName: 'utm-cli',
        onPoolError: (e) => void process.stderr.write(`utm: database connection lost: ${e.message}\n`),
      })),
  };
  try {
    return await run(process.argv.slice(2), deps);
  } finally {
    await db?.close().catch(() => undefined);
  }
}

void main()
  .catch((err: unknown) => {
    process.stderr.write(`utm: unexpected failure: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  })
  .then((code) => {
    process.exitCode = code;
    // Everything is closed; should a stray handle linger, do not hang the operator's shell.
    setTimeout(() => process.exit(code), 3000).unref();
  });
