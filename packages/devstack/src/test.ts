#!/usr/bin/env node
/**
 * `npm test`: finds or starts the test stores (docs/contract.md, "Running"), runs lint, typecheck and
 * every workspace's tests through turbo against them, then prints `N passed, N failed`
 * summed over .jest-results/*.json. Exits non-zero when turbo failed, a test failed, or
 * no result was produced.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadDevstackConfig, type DevstackConfig } from './config';
import { describeFailures, summaryLine } from './jest-results';
import { exitOnSignals, stopAll, track } from './lifecycle';
import { DevstackError, errorMessage, say } from './log';
import { JEST_RESULTS_DIR, REPO_ROOT } from './paths';
import { signalPid, stopPid } from './proc';
import { resolveStack } from './stack';
import { report } from './summarize';

/** Two cores here; integration tests share one Postgres and one Redis. */
const TURBO_CONCURRENCY = '2';

function runTurbo(root: string, env: Record<string, string | undefined>): Promise<number> {
  const turbo = path.join(root, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) throw new DevstackError(`${turbo} not found: run npm install first`);
  const args = [
    'run',
    'format:check',
    'lint',
    'typecheck',
    'test',
    '--output-logs=new-only',
    `--concurrency=${TURBO_CONCURRENCY}`,
  ];
  // Every task whose dependencies built runs, so one failure does not hide the others.
  args.push('--continue=dependencies-successful');
  say(`turbo ${args.join(' ')}`);
  return new Promise((resolve, reject) => {
    // Same process group: a Ctrl-C reaches turbo and jest directly.
    const child = spawn(turbo, args, { cwd: root, stdio: 'inherit', env });
    const pid = child.pid;
    const untrack = pid
      ? track({
          name: `turbo (pid ${pid})`,
          stop: () => stopPid(pid, 'turbo', { signal: 'SIGTERM', timeoutMs: 15000 }),
          killNow: () => void signalPid(pid, 'SIGTERM'),
        })
      : () => undefined;
    child.on('error', (err) => {
      untrack();
      reject(new DevstackError(`could not run turbo: ${err.message}`));
    });
    child.on('exit', (code, signal) => {
      untrack();
      resolve(code ?? 128 + (signal === 'SIGINT' ? 2 : 15));
    });
  });
}

/** Runs the whole test suite; resolves to the exit code. */
export async function runTests(
  root: string = REPO_ROOT,
  config: DevstackConfig = loadDevstackConfig(),
): Promise<number> {
  const stack = await resolveStack({ purpose: 'test', config, root });
  const resultsDir = path.join(root, JEST_RESULTS_DIR);
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir); // jest's --outputFile does not create it
  const turboCode = await runTurbo(root, {
    ...config.inheritedEnv,
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl,
    TURBO_TELEMETRY_DISABLED: config.inheritedEnv.TURBO_TELEMETRY_DISABLED ?? '1',
  });
  const { summary, reasons } = report(root, resultsDir);
  if (turboCode !== 0) reasons.unshift(`turbo exited with code ${turboCode}`);
  for (const line of describeFailures(summary, root)) process.stderr.write(`${line}\n`);
  process.stdout.write(`${summaryLine(summary)}\n`);
  if (reasons.length) say(`tests failed: ${reasons.join('; ')}`);
  await stack.stop();
  return reasons.length ? 1 : 0;
}

async function main(): Promise<void> {
  exitOnSignals();
  let code: number;
  try {
    code = await runTests();
  } catch (err) {
    say(err instanceof DevstackError ? err.message : `npm test failed: ${errorMessage(err)}`);
    code = 1;
  }
  await stopAll();
  process.exit(code);
}

if (require.main === module) void main();
