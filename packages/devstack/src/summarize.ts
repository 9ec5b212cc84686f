#!/usr/bin/env node
/**
 * Prints `N passed, N failed` (alone on its line, on stdout) from the jest reports in
 * <repo>/.jest-results (or the directory given as the first argument). Exit code: 0 when
 * everything passed, 1 when a test failed or a report is broken or missing, 2 when there
 * are no reports at all (the line then says 0 passed, 0 failed).
 */
import path from 'node:path';
import { describeFailures, failureReasons, readResultsDir, summaryLine, type ResultSummary } from './jest-results';
import { JEST_RESULTS_DIR, REPO_ROOT } from './paths';
import { missingResults } from './workspaces';

export function report(root: string, dir: string): { summary: ResultSummary; reasons: string[] } {
  const summary = readResultsDir(dir);
  const missing = summary.reports.length ? missingResults(root, dir, summary.reports) : [];
  return { summary, reasons: failureReasons(summary, missing) };
}

function main(): void {
  const dir = path.resolve(process.argv[2] ?? path.join(REPO_ROOT, JEST_RESULTS_DIR));
  const { summary, reasons } = report(REPO_ROOT, dir);
  for (const line of describeFailures(summary, REPO_ROOT)) process.stderr.write(`${line}\n`);
  for (const reason of reasons) process.stderr.write(`summarize: ${reason}\n`);
  process.stdout.write(`${summaryLine(summary)}\n`);
  process.exitCode = summary.reports.length === 0 ? 2 : reasons.length ? 1 : 0;
}

if (require.main === module) main();
