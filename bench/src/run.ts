import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveStack } from '@utm/devstack';
import { isolatedDatabase } from '@utm/testkit';
import { benchEndToEnd, type E2ePair } from './e2e';
import { benchIngest } from './ingest';
import { benchNotify } from './notify';
import { planFrom, USAGE } from './options';
import { benchProcessor, type ProcessorRun } from './processor';
import { machine, markdown, notifyRows, rows, type BenchReport } from './report';

/**
 * `npm run bench`: each stage beside its baseline, in one run, on this machine, on a fresh
 * database. Prints a table and writes bench/results.json. Figures, never pass/fail.
 */
async function main(): Promise<void> {
  const plan = planFrom(process.argv.slice(2));
  const host = machine();
  const stack = await resolveStack({ purpose: 'dev' });
  const database = await isolatedDatabase('bench', stack.databaseUrl);
  const stores = { databaseUrl: database.url, redisUrl: stack.redisUrl };
  const say = (s: string) => process.stderr.write(`bench: ${s}\n`);
  try {
    say(`${plan.mode} run on ${host.cores} cores (${host.cpuModel}), load average ${host.loadAverage1m}`);
    if (plan.notifyOnly) {
      say(`notify only: ${plan.notify.rate} deliveries/s, then again with an endpoint that never answers`);
      const notify = await benchNotify({ ...stores, ...plan.notify });
      const table = notifyRows(notify);
      process.stdout.write(`\n${markdown(table)}\n\n`);
      const at = new Date().toISOString();
      process.stdout.write(
        `${at} · ${plan.mode} · ${host.cores} cores (${host.cpuModel}) · node ${host.node} · load average ${host.loadAverage1m} at start\n`,
      );
      mkdirSync(path.dirname(plan.out), { recursive: true });
      writeFileSync(
        plan.out,
        `${JSON.stringify({ schema: 'utm-bench-notify/1', at, mode: plan.mode, machine: host, notify, table }, null, 2)}\n`,
      );
      return;
    }
    say('ingest: gateway, then bare node:http');
    const ingest = await benchIngest({ ...stores, ...plan.ingest });
    const processor: ProcessorRun[] = [];
    for (const replicas of plan.processor.replicas) {
      say(`processor: ${replicas} replica(s), then the bare worker baseline`);
      processor.push(
        await benchProcessor({
          ...stores,
          replicas,
          accounts: plan.processor.accounts,
          perAccount: plan.processor.perAccount,
        }),
      );
    }
    const e2e: E2ePair[] = [];
    for (const rate of plan.e2e.rates) {
      say(`end to end at ${rate}/s, then the baseline chain`);
      e2e.push(
        await benchEndToEnd({
          ...stores,
          rate,
          warmupS: plan.e2e.warmupS,
          durationS: plan.e2e.durationS,
          accounts: plan.e2e.accounts,
          historyPerAccount: plan.e2e.historyPerAccount,
        }),
      );
    }
    say(`notify: ${plan.notify.rate} deliveries/s, then again with an endpoint that never answers`);
    const notify = await benchNotify({ ...stores, ...plan.notify });
    const table = rows(ingest, processor, e2e, notify);
    const report: BenchReport = {
      schema: 'utm-bench/1',
      at: new Date().toISOString(),
      mode: plan.mode,
      machine: host,
      ingest,
      processor,
      e2e,
      notify,
      table,
    };
    process.stdout.write(`\n${markdown(table)}\n\n`);
    process.stdout.write(
      `${report.at} · ${plan.mode} · ${host.cores} cores (${host.cpuModel}) · ${host.memoryGiB} GiB · node ${host.node} · load average ${host.loadAverage1m} at start\n`,
    );
    const v = ingest.verified;
    // Requests still in flight when a load window closes are committed but not counted as
    // 202s by autocannon: at most one per connection per window (warm-up and measure).
    const inFlight = v.rows - v.responses202;
    const kept = v.jobs === v.rows && inFlight >= 0 && inFlight <= 2 * ingest.connections;
    process.stdout.write(
      `ingest guarantees: ${v.responses202} × 202 counted, ${v.rows} rows committed (${inFlight} answered after the windows closed), ${v.jobs} jobs queued: ${kept ? 'every accepted signal is stored and queued' : 'MISMATCH'}\n`,
    );
    mkdirSync(path.dirname(plan.out), { recursive: true });
    writeFileSync(plan.out, `${JSON.stringify(report, null, 2)}\n`);
    const shown = path.relative(process.cwd(), plan.out);
    process.stdout.write(`written: ${shown.startsWith('..') ? plan.out : shown}\n`);
  } finally {
    await database.drop();
    await stack.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n${USAGE}\n`);
  process.exit(1);
});
