import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { testDatabaseUrl, testRedisUrl } from '@utm/testkit';

/**
 * `npm run bench` in its tiny mode, as a real run (every service a process of its own): the
 * report is printed and written, well-formed, each stage beside its baseline, and work
 * really flowed. Figures are never judged here: timing targets belong to the bench itself.
 */
const ROOT = path.resolve(__dirname, '../..');
const RUN = path.join(ROOT, 'bench', 'dist', 'run.js');
const PUBLISHED = path.join(ROOT, 'bench', 'results.json');

interface Row {
  stage: string;
  run: string;
  ratePerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

interface Chain {
  accepted: number;
  done: number;
  p50Ms: number;
  p99Ms: number;
}

interface NotifyRun {
  delivered: number;
  expected: number;
  p50Ms: number;
  p99Ms: number;
}

interface Report {
  schema: string;
  at: string;
  mode: string;
  machine: { cores: number; cpuModel: string; node: string; memoryGiB: number; loadAverage1m: number };
  ingest: {
    gateway: { accepted: number; rate: number };
    bare: { accepted: number; rate: number };
    ratio: number;
    verified: { responses202: number; rows: number; jobs: number };
  };
  processor: {
    signals: number;
    processor: { jobs: number; failed: number; rate: number; orders: number; orderJobs: number; decidedMs: number };
    baseline: { jobs: number; failed: number; rate: number };
    ratio: number;
  }[];
  e2e: { offeredRate: number; pipeline: Chain; baseline: Chain }[];
  notify: { normal: NotifyRun; withHanging: NotifyRun };
  table: Row[];
}

describe('npm run bench (tiny mode)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the table and writes the JSON report, every stage beside its baseline', async () => {
    if (!existsSync(RUN)) throw new Error(`${RUN} is missing: build first (npm run build)`);
    const publishedBefore = existsSync(PUBLISHED) ? statSync(PUBLISHED).mtimeMs : undefined;
    const out = path.join(dir, 'results.json');
    const { stdout } = await promisify(execFile)(process.execPath, [RUN, '--tiny', '--out', out], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: testDatabaseUrl(), REDIS_URL: testRedisUrl() },
      timeout: 180_000,
      maxBuffer: 16 * 1024 * 1024,
    });

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    expect(report).toMatchObject({ schema: 'utm-bench/1', mode: 'tiny' });
    expect(Math.abs(Date.now() - Date.parse(report.at))).toBeLessThan(10 * 60_000);
    expect(report.machine.cores).toBe(os.cpus().length);
    expect(report.machine.cpuModel).toBe(os.cpus()[0]?.model.trim());
    expect(report.machine.node).toBe(process.version);

    // Work really flowed through each stage and each baseline.
    expect(report.ingest.gateway.accepted).toBeGreaterThan(0);
    expect(report.ingest.bare.accepted).toBeGreaterThan(0);
    expect(report.ingest.verified.jobs).toBe(report.ingest.verified.rows);
    expect(report.ingest.verified.rows).toBeGreaterThanOrEqual(report.ingest.verified.responses202);
    const [proc] = report.processor;
    expect(proc?.processor).toMatchObject({ jobs: proc?.signals, failed: 0 });
    expect(proc?.baseline).toMatchObject({ jobs: proc?.signals, failed: 0 });
    expect(proc?.processor.orders).toBeGreaterThan(0);
    expect(proc?.processor.orderJobs).toBe(proc?.processor.orders);
    expect(proc?.processor.decidedMs).toBeGreaterThan(0);
    const [e2e] = report.e2e;
    expect(e2e?.offeredRate).toBe(20);
    for (const chain of [e2e?.pipeline, e2e?.baseline]) {
      expect(chain?.done).toBeGreaterThan(0);
      expect(chain?.p50Ms).toBeLessThanOrEqual(chain?.p99Ms ?? -1);
    }

    // Each measured row is followed by its baseline, and the printed table holds the same rows.
    expect(report.table.map((r) => r.stage)).toEqual([
      'ingest',
      'ingest',
      'processor',
      'processor',
      'end to end',
      'end to end',
      'notify',
      'notify',
    ]);
    report.table.slice(0, 6).forEach((r, i) => expect(r.run.startsWith('baseline:')).toBe(i % 2 === 1));
    // The notify stage has no baseline run: its second row is the first one with an endpoint that hangs.
    expect(report.table[7]?.run).toContain('never answers');
    expect(report.notify.normal.delivered).toBeGreaterThan(0);
    expect(report.notify.withHanging.delivered).toBeGreaterThan(0);
    const printed = stdout.split('\n').filter((l) => l.startsWith('| '));
    expect(printed[0]).toBe('| stage | run | offered load | done /s | p50 ms | p99 ms | beside the baseline |');
    expect(printed.slice(2).map((l) => l.split(' | ')[1])).toEqual(report.table.map((r) => r.run));
    expect(stdout).toContain(`${report.machine.cores} cores`);
    expect(stdout).toContain('every accepted signal is stored and queued');
    // The published results are left alone.
    expect(existsSync(PUBLISHED) ? statSync(PUBLISHED).mtimeMs : undefined).toBe(publishedBefore);
  }, 240_000);
});
