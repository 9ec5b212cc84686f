import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Sums the per-workspace reports that `jest --json --outputFile=…` writes into
 * .jest-results/, into the one line CI reads: `N passed, N failed`.
 *
 * A suite that could not run (a syntax or import error) has no failed test in jest's
 * counts; it counts here as one failed test, so the line never says "0 failed" while
 * something failed.
 */
interface JestAssertion {
  status?: string;
  fullName?: string;
}

interface JestSuite {
  name?: string;
  status?: string;
  message?: string;
  assertionResults?: JestAssertion[];
}

interface JestReport {
  numPassedTests?: unknown;
  numFailedTests?: unknown;
  success?: unknown;
  testResults?: JestSuite[];
}

export interface Failure {
  /** The result file it came from (the workspace). */
  report: string;
  /** The test file. */
  suite: string;
  /** The failed test's full name; undefined when the whole suite failed to run. */
  test: string | undefined;
  /** First line of jest's failure message. */
  message: string;
}

export interface ResultSummary {
  passed: number;
  failed: number;
  /** Result files read. */
  reports: string[];
  failures: Failure[];
  /** Anything else that makes the run a failure: unreadable reports, failures jest counted no test for. */
  problems: string[];
}

export interface ReportInput {
  file: string;
  content: string;
}

function firstLine(message: string | undefined): string {
  const line = (message ?? '')
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l && !l.startsWith('●'));
  return line ?? '(no message)';
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}

export function summarizeReports(inputs: ReportInput[]): ResultSummary {
  const summary: ResultSummary = { passed: 0, failed: 0, reports: [], failures: [], problems: [] };
  for (const { file, content } of inputs) {
    let report: JestReport;
    try {
      report = JSON.parse(content) as JestReport;
    } catch (err) {
      summary.problems.push(`${file}: not valid JSON (${(err as Error).message})`);
      continue;
    }
    const passed = count(report?.numPassedTests);
    const failed = count(report?.numFailedTests);
    if (passed === undefined || failed === undefined) {
      summary.problems.push(`${file}: not a jest --json report (no numPassedTests/numFailedTests)`);
      continue;
    }
    summary.reports.push(file);
    summary.passed += passed;
    summary.failed += failed;
    let failuresHere = failed;
    for (const suite of report.testResults ?? []) {
      const suiteName = suite.name ?? '(unknown test file)';
      const failedTests = (suite.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of failedTests) {
        summary.failures.push({ report: file, suite: suiteName, test: a.fullName, message: firstLine(suite.message) });
      }
      if (suite.status === 'failed' && failedTests.length === 0) {
        summary.failed += 1;
        failuresHere += 1;
        summary.failures.push({ report: file, suite: suiteName, test: undefined, message: firstLine(suite.message) });
      }
    }
    if (report.success === false && failuresHere === 0) {
      summary.problems.push(`${file}: jest reported failure (success: false) without a failed test`);
    }
  }
  return summary;
}

/** Reads every *.json in `dir` (missing directory: no reports). */
export function readResultsDir(dir: string): ResultSummary {
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  return summarizeReports(files.map((f) => ({ file: f, content: readFileSync(path.join(dir, f), 'utf8') })));
}

export function summaryLine(s: Pick<ResultSummary, 'passed' | 'failed'>): string {
  return `${s.passed} passed, ${s.failed} failed`;
}

/** Why the run must count as failed; empty when it passed. */
export function failureReasons(s: ResultSummary, missing: string[] = []): string[] {
  const reasons = [...s.problems];
  if (s.reports.length === 0) reasons.push('no jest result file was produced');
  if (missing.length) reasons.push(`no test results from: ${missing.join(', ')}`);
  if (s.failed > 0) reasons.push(`${s.failed} test(s) failed`);
  return reasons;
}

/** Human-readable lines about the failures, capped so a broken run does not flood the log. */
export function describeFailures(s: ResultSummary, root: string, max = 25): string[] {
  const lines = s.failures.slice(0, max).map((f) => {
    const suite = path.isAbsolute(f.suite) ? path.relative(root, f.suite) : f.suite;
    return f.test ? `FAIL ${suite} › ${f.test}: ${f.message}` : `FAIL ${suite} (suite failed to run): ${f.message}`;
  });
  if (s.failures.length > max) lines.push(`… and ${s.failures.length - max} more`);
  return lines;
}
