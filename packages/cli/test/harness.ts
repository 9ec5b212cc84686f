import { randomBytes } from 'node:crypto';
import { createDb, type Db } from '@utm/db';
import { testDatabaseUrl, testRedisUrl, uniquePrefix } from '@utm/testkit';
import type { CliSettings } from '../src/config';
import { run, type CliDeps } from '../src/program';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A redis URL where nothing listens: Redis "down". */
export const REDIS_DOWN = 'redis://127.0.0.1:1';

/**
 * Runs CLI command lines in-process against the test database, capturing stdout/stderr.
 * Each harness has its own queue prefix and encryption key.
 */
export class Harness {
  readonly db: Db;
  readonly encryptionKey = randomBytes(32);
  readonly queuePrefix = `{${uniquePrefix('cli')}}`;

  constructor() {
    this.db = createDb({ url: testDatabaseUrl(), poolMax: 4, applicationName: 'cli-test' });
  }

  get prisma() {
    return this.db.prisma;
  }

  settings(over: Partial<CliSettings> = {}): CliSettings {
    return {
      databaseUrl: testDatabaseUrl(),
      redisUrl: testRedisUrl(),
      encryptionKey: this.encryptionKey,
      queuePrefix: this.queuePrefix,
      ...over,
    };
  }

  async run(args: string[], over: Partial<CliDeps> & { settings?: () => CliSettings } = {}): Promise<CliRun> {
    let stdout = '';
    let stderr = '';
    const deps: CliDeps = {
      out: (s) => void (stdout += s),
      err: (s) => void (stderr += s),
      settings: () => this.settings(),
      db: () => this.db,
      ...over,
    };
    const code = await run(args, deps);
    return { code, stdout, stderr };
  }

  /** Runs with --json and returns the one JSON object of stdout (asserting it is exactly one line). */
  async json<T = Record<string, unknown>>(
    args: string[],
    over: Partial<CliDeps> = {},
  ): Promise<{ code: number; body: T; stderr: string }> {
    const r = await this.run([...args, '--json'], over);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    return { code: r.code, body: JSON.parse(r.stdout) as T, stderr: r.stderr };
  }

  /** Expects a --json failure with this code; returns the error body. */
  async jsonError(
    args: string[],
    code: string,
    over: Partial<CliDeps> = {},
  ): Promise<{ message: string; stderr: string }> {
    const r = await this.json<{ success: boolean; error: string; message: string }>(args, over);
    expect({ exit: r.code, success: r.body.success, error: r.body.error }).toEqual({
      exit: 1,
      success: false,
      error: code,
    });
    expect(typeof r.body.message).toBe('string');
    return { message: r.body.message, stderr: r.stderr };
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
