import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveStack } from '@utm/devstack';
import { isolatedDatabase } from '@utm/testkit';
import { benchEndToEnd, type E2eReport } from './e2e';
import { benchIngest, type IngestReport } from './ingest';
import { benchProcessor, type ProcessorRun } from './processor';
import { ROOT } from './procs';

/**
 * `npm run bench`: each stage beside its baseline, in one run, on this machine. Prints a table
 * and writes bench/results.json. Figures, never pass/fail: targets are read against them.
 */
function table(ingest: IngestReport, processor: ProcessorRun[], e2e: E2eReport[]): string {
  const rows: string[][] = [
    ['stage', 'rate /s', 'p50 ms', 'p99 ms', 'beside'],
    ['ingest: gateway (1 process)', String(ingest.gateway.rate), String(ingest.gateway.p50), String(ingest.gateway.p99), `ratio ${ingest.ratio} to bare`],
    ['ingest: bare node:http 202', String(ingest.bare.rate), String(ingest.bare.p50), String(ingest.bare.p99), 'baseline'],
    ...processor.map((p) => [`processor: ${p.replicas} replica(s)`, String(p.rate), '-', '-', `${p.signals} signals, ${p.orders} orders, ${p.orderJobs} jobs`]),
    ...e2e.map((e) => [
      `end to end, offered ${e.offeredRate}/s`,
      String(e.rate),
      String(e.p50Ms),
      String(e.p99Ms),
      `ingest→fill; decide p50/p99 ${e.stages.decideP50Ms}/${e.stages.decideP99Ms} ms, execute ${e.stages.executeP50Ms}/${e.stages.executeP99Ms} ms`,
    ]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const stack = await resolveStack({ purpose: 'dev' });
  const database = await isolatedDatabase('bench', stack.databaseUrl);
  try {
    const connections = 32;
    const ingest = await benchIngest({ databaseUrl: database.url, redisUrl: stack.redisUrl, connections, durationS: 10, warmupS: 3 });
    const processor: ProcessorRun[] = [];
    for (const replicas of [1, 2]) {
      processor.push(await benchProcessor({ databaseUrl: database.url, redisUrl: stack.redisUrl, replicas, accounts: 50, perAccount: 60 }));
    }
    const e2e: E2eReport[] = [];
    for (const rate of [100, 250, 500]) {
      e2e.push(await benchEndToEnd({ databaseUrl: database.url, redisUrl: stack.redisUrl, rate, durationS: 10, accounts: 100 }));
    }
    const v = ingest.verified;
    const report = {
      at: new Date().toISOString(),
      machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      ingest,
      processor,
      e2e,
    };
    process.stdout.write(`\n${table(ingest, processor, e2e)}\n\n`);
    process.stdout.write(`machine: ${report.machine.cores} cores, ${report.machine.memoryGiB} GiB, node ${report.machine.node}; ${connections} connections\n`);
    // Requests still in flight when a load window closes are committed but not counted as
    // 202s by autocannon: at most one per connection per window (warm-up and measure).
    const inFlight = v.rows - v.responses202;
    const kept = v.jobs === v.rows && inFlight >= 0 && inFlight <= 2 * connections;
    process.stdout.write(
      `ingest guarantees: ${v.responses202} × 202 counted, ${v.rows} rows committed (${inFlight} answered after the windows closed), ${v.jobs} jobs queued: ${kept ? 'every accepted signal is stored and queued' : 'MISMATCH'}\n`,
    );
    process.stdout.write(`ingest non-2xx: ${ingest.gateway.non2xx}, errors: ${ingest.gateway.errors}\n`);
    mkdirSync(path.join(ROOT, 'bench'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write('written: bench/results.json\n');
  } finally {
    await database.drop();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
