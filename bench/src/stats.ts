import type { Job } from 'bullmq';

/** The q-quantile (0..1) of `values`, linear between ranks like Postgres' percentile_cont. */
export function quantile(values: number[], q: number): number {
  if (!values.length) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] ?? 0) + ((sorted[hi] ?? 0) - (sorted[lo] ?? 0)) * (pos - lo);
}

export interface DrainStats {
  /** Jobs finished, and jobs that failed for good (expected 0). */
  jobs: number;
  failed: number;
  /** From the first job taken to the last one finished (BullMQ's own timestamps). */
  elapsedMs: number;
  /** When the first job was taken (epoch ms). */
  firstTakenAt: number;
  /** Jobs finished per second over that span. */
  rate: number;
  /** Time inside the handler per job (processedOn → finishedOn). */
  jobP50Ms: number;
  jobP99Ms: number;
}

/** Throughput and handler time of a drained queue, from the jobs' timestamps. */
export function drainStats(jobs: Job[], failed: number): DrainStats {
  const done = jobs.filter((j) => j.processedOn !== undefined && j.finishedOn !== undefined);
  const first = Math.min(...done.map((j) => j.processedOn ?? Infinity));
  const last = Math.max(...done.map((j) => j.finishedOn ?? 0));
  const elapsedMs = done.length ? Math.max(1, last - first) : 0;
  const handler = done.map((j) => (j.finishedOn ?? 0) - (j.processedOn ?? 0));
  return {
    jobs: done.length,
    failed,
    elapsedMs,
    firstTakenAt: done.length ? first : 0,
    rate: elapsedMs ? Math.round((done.length * 1000) / elapsedMs) : 0,
    jobP50Ms: Math.round(quantile(handler, 0.5)),
    jobP99Ms: Math.round(quantile(handler, 0.99)),
  };
}
