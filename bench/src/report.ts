import os from 'node:os';
import type { ChainResult, E2ePair } from './e2e';
import type { IngestReport } from './ingest';
import type { NotifyReport, NotifyRun } from './notify';
import type { Mode } from './options';
import type { ProcessorRun } from './processor';

/** One line of the printed table; the same rows go to results.json. */
export interface Row {
  stage: 'ingest' | 'processor' | 'end to end' | 'notify';
  run: string;
  offered: string;
  ratePerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  note: string;
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started: above the core count, the figures are noisy. */
  loadAverage1m: number;
}

export interface BenchReport {
  schema: 'utm-bench/1';
  at: string;
  mode: Mode;
  machine: Machine;
  ingest: IngestReport;
  processor: ProcessorRun[];
  e2e: E2ePair[];
  notify: NotifyReport;
  table: Row[];
}

export function machine(): Machine {
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)),
  };
}

const chain = (c: ChainResult, offered: number) => `2xx ${c.accepted} of ${offered} offered, done ${c.done}`;

/** Where a signal's CPU went, in ms per signal, largest first. */
const cpuSplit = (cpu: Record<string, number>, done: number) =>
  Object.entries(cpu)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${done ? ((v * 1000) / done).toFixed(2) : '0'}`)
    .join(', ');

export function notifyRows(n: NotifyReport): Row[] {
  const offered = `${n.rate.toLocaleString('en-US')} deliveries/s for ${n.durationS} s (after ${n.warmupS} s), ${n.users} owners × ${n.endpointsPerUser} endpoints`;
  const row = (r: NotifyRun, run: string, note: string): Row => ({
    stage: 'notify',
    run,
    offered,
    ratePerS: r.rate,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    note: `commit → delivered; ${r.delivered.toLocaleString('en-US')} of ${r.expected.toLocaleString('en-US')} delivered, max ${r.maxMs.toLocaleString('en-US')} ms${note}`,
  });
  return [
    row(n.normal, 'notifier → signed webhooks (local receiver)', ''),
    row(
      n.withHanging,
      `the same, plus 1 endpoint that never answers (${Math.round(n.hangingShare * 100)}% of the facts)`,
      `; figures of the answering endpoints; the hanging one held ${n.withHanging.hangingHeld} requests at once (its cap)`,
    ),
  ];
}

export function rows(ingest: IngestReport, processor: ProcessorRun[], e2e: E2ePair[], notify?: NotifyReport): Row[] {
  const out: Row[] = [
    {
      stage: 'ingest',
      run: 'gateway (1 process)',
      offered: `closed loop, ${ingest.connections} conns`,
      ratePerS: ingest.gateway.rate,
      p50Ms: ingest.gateway.p50,
      p99Ms: ingest.gateway.p99,
      note: `${ingest.ratio} × baseline`,
    },
    {
      stage: 'ingest',
      run: 'baseline: bare node:http 202',
      offered: `closed loop, ${ingest.connections} conns`,
      ratePerS: ingest.bare.rate,
      p50Ms: ingest.bare.p50,
      p99Ms: ingest.bare.p99,
      note: '',
    },
  ];
  for (const p of processor) {
    const offered = `backlog: ${p.signals} signal jobs, ${p.accounts} accounts`;
    const reps = `${p.replicas} replica${p.replicas > 1 ? 's' : ''}`;
    out.push({
      stage: 'processor',
      run: `signal-processor, ${reps}`,
      offered,
      ratePerS: p.processor.rate,
      p50Ms: p.processor.jobP50Ms,
      p99Ms: p.processor.jobP99Ms,
      note: `${p.ratio} × baseline; every signal decided after ${p.processor.decidedMs.toLocaleString('en-US')} ms (${p.processor.decidedPerS.toLocaleString('en-US')} signals/s), ${p.processor.orders} orders`,
    });
    out.push({
      stage: 'processor',
      run: `baseline: bare worker + SELECT 1, ${reps}`,
      offered,
      ratePerS: p.baseline.rate,
      p50Ms: p.baseline.jobP50Ms,
      p99Ms: p.baseline.jobP99Ms,
      note: '',
    });
  }
  for (const e of e2e) {
    const offered = `${e.offeredRate}/s for ${e.durationS} s (after ${e.warmupS} s)`;
    out.push({
      stage: 'end to end',
      run: 'gateway → processor → executor (paper fill)',
      offered,
      ratePerS: e.pipeline.rate,
      p50Ms: e.pipeline.p50Ms,
      p99Ms: e.pipeline.p99Ms,
      note: `decide p50/p99 ${e.pipeline.decideP50Ms}/${e.pipeline.decideP99Ms} ms, execute ${e.pipeline.executeP50Ms}/${e.pipeline.executeP99Ms} ms; ${chain(e.pipeline, e.offeredRate * e.durationS)}; CPU ${e.pipeline.cpuMsPerSignal} ms per signal (${cpuSplit(e.pipeline.cpu, e.pipeline.done)})`,
    });
    out.push({
      stage: 'end to end',
      run: 'baseline: bare http → queue → worker → queue → worker',
      offered,
      ratePerS: e.baseline.rate,
      p50Ms: e.baseline.p50Ms,
      p99Ms: e.baseline.p99Ms,
      note: chain(e.baseline, e.offeredRate * e.durationS),
    });
  }
  if (notify) out.push(...notifyRows(notify));
  return out;
}

const fmt = (n: number | null) => (n === null ? '' : n.toLocaleString('en-US'));

/** A Markdown table: readable in a terminal, pasted as is into the README. */
export function markdown(table: Row[]): string {
  const header = ['stage', 'run', 'offered load', 'done /s', 'p50 ms', 'p99 ms', 'beside the baseline'];
  const lines = [
    header,
    header.map(() => '---'),
    ...table.map((r) => [r.stage, r.run, r.offered, fmt(r.ratePerS), fmt(r.p50Ms), fmt(r.p99Ms), r.note]),
  ];
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}
