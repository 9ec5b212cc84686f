import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFailures, failureReasons, readResultsDir, summarizeReports, summaryLine } from '../src/jest-results';
import { missingResults } from '../src/workspaces';

function report(over: Record<string, unknown>): string {
  return JSON.stringify({
    numPassedTests: 0,
    numFailedTests: 0,
    numTotalTests: 0,
    success: true,
    testResults: [],
    ...over,
  });
}

const passing = report({
  numPassedTests: 3,
  numTotalTests: 3,
  testResults: [{ name: '/repo/packages/a/test/a.test.ts', status: 'passed', message: '', assertionResults: [] }],
});

const failing = report({
  numPassedTests: 1,
  numFailedTests: 1,
  numTotalTests: 2,
  success: false,
  testResults: [
    {
      name: '/repo/packages/b/test/b.test.ts',
      status: 'failed',
      message: '  ● b › adds\n\n    expect(received).toBe(expected)\n',
      assertionResults: [
        { status: 'passed', fullName: 'b works' },
        { status: 'failed', fullName: 'b adds' },
      ],
    },
    // A suite that could not even load: jest counts no failed test for it.
    {
      name: '/repo/packages/b/test/c.test.ts',
      status: 'failed',
      message: '  ● Test suite failed to run\n\n    Cannot find module ./missing\n',
      assertionResults: [],
    },
  ],
});

describe('summing jest --json reports', () => {
  it('adds passed and failed over every report, a suite that failed to run counting as one failure', () => {
    const s = summarizeReports([
      { file: 'a.json', content: passing },
      { file: 'b.json', content: failing },
    ]);
    expect(summaryLine(s)).toBe('4 passed, 2 failed');
    expect(s.reports).toEqual(['a.json', 'b.json']);
    expect(s.failures.map((f) => [f.test, f.message])).toEqual([
      ['b adds', 'expect(received).toBe(expected)'],
      [undefined, 'Cannot find module ./missing'],
    ]);
    expect(describeFailures(s, '/repo')).toEqual([
      'FAIL packages/b/test/b.test.ts › b adds: expect(received).toBe(expected)',
      'FAIL packages/b/test/c.test.ts (suite failed to run): Cannot find module ./missing',
    ]);
    expect(failureReasons(s)).toEqual(['2 test(s) failed']);
  });

  it('passes only with at least one report, no failure and no broken report', () => {
    expect(failureReasons(summarizeReports([{ file: 'a.json', content: passing }]))).toEqual([]);
    expect(failureReasons(summarizeReports([]))).toEqual(['no jest result file was produced']);
    const broken = summarizeReports([
      { file: 'a.json', content: passing },
      { file: 'x.json', content: '{"numPassedTests": 1, ' },
      { file: 'y.json', content: '{"hello": 1}' },
      { file: 'z.json', content: report({ success: false }) },
    ]);
    expect(summaryLine(broken)).toBe('3 passed, 0 failed');
    expect(failureReasons(broken, ['@utm/cli'])).toEqual([
      expect.stringMatching(/^x\.json: not valid JSON/),
      'y.json: not a jest --json report (no numPassedTests/numFailedTests)',
      'z.json: jest reported failure (success: false) without a failed test',
      'no test results from: @utm/cli',
    ]);
  });

  it('reads a results directory and tells which workspace produced nothing', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'devstack-results-'));
    try {
      writeFileSync(path.join(root, 'package.json'), JSON.stringify({ workspaces: ['packages/*'] }));
      for (const name of ['a', 'b', 'nojest']) {
        mkdirSync(path.join(root, 'packages', name), { recursive: true });
        const test = name === 'nojest' ? undefined : `jest --json --outputFile=../../.jest-results/${name}.json`;
        writeFileSync(
          path.join(root, 'packages', name, 'package.json'),
          JSON.stringify({ name: `@x/${name}`, scripts: { test } }),
        );
      }
      const dir = path.join(root, '.jest-results');
      expect(readResultsDir(dir).reports).toEqual([]); // no directory at all
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'a.json'), passing);
      writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
      const s = readResultsDir(dir);
      expect(summaryLine(s)).toBe('3 passed, 0 failed');
      expect(missingResults(root, dir, s.reports)).toEqual(['@x/b']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
