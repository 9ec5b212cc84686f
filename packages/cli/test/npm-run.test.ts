/**
 * The CLI as a user runs it: `npm run utm -- … --json` from the repository root, through
 * npm and the built dist/main.js. stdout must be exactly one JSON line (the repo's .npmrc
 * silences npm's own banner).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createDb } from '@utm/db';
import { testDatabaseUrl } from '@utm/testkit';

const PKG = path.resolve(__dirname, '..');
const ROOT = path.resolve(PKG, '../..');
const MAIN = path.join(PKG, 'dist/main.js');

function newestSource(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs;
    }),
  );
}

/** A user's shell: none of the npm_* variables of the npm that may be running these tests. */
function userEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  return { ...env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: '' };
}

function npmRunUtm(args: string[]) {
  const r = spawnSync('npm', ['run', 'utm', '--', ...args], {
    cwd: ROOT,
    env: userEnv(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  // The turbo test task depends on the dependencies' builds only: build this package's dist
  // here when it is missing or older than its sources (the dependencies must be built).
  if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newestSource(path.join(PKG, 'src'))) {
    try {
      execFileSync(
        process.execPath,
        [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
        { cwd: PKG, stdio: 'pipe' },
      );
    } catch (err) {
      const out = (err as { stdout?: Buffer }).stdout?.toString() ?? '';
      throw new Error(
        `packages/cli could not be built for the npm run test: run \`npm run build\` from the repository root first.\n${out}`,
        { cause: err },
      );
    }
  }
}, 120_000);

describe('npm run utm (subprocess, as a user runs it)', () => {
  it('user create --json prints exactly one JSON line on stdout, and the user exists', async () => {
    const r = npmRunUtm(['user', 'create', '--name', 'x', '--json']);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^\{.*\}\n$/);
    const body = JSON.parse(r.stdout) as { userId: string };
    expect(Object.keys(body)).toEqual(['userId']);
    const db = createDb({ url: testDatabaseUrl(), poolMax: 1 });
    try {
      expect((await db.prisma.user.findUniqueOrThrow({ where: { id: body.userId } })).name).toBe('x');
    } finally {
      await db.close();
    }
  }, 60_000);

  it('an error with --json is one JSON line on stdout and exit code 1', () => {
    const r = npmRunUtm(['account', 'halt', '--account', '00000000-0000-4000-8000-000000000000', '--json']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^\{.*\}\n$/);
    expect(JSON.parse(r.stdout)).toEqual({
      success: false,
      error: 'ACCOUNT_NOT_FOUND',
      message: 'account 00000000-0000-4000-8000-000000000000 not found',
    });
  }, 60_000);
});
