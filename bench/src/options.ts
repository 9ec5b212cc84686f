import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './procs';

export type Mode = 'full' | 'quick' | 'tiny';

/** What one run measures. `full` is the published table; `quick` takes under a minute. */
export interface BenchPlan {
  mode: Mode;
  out: string;
  /** --notify-only: the notify stage alone (its rows, written to results.notify.json). */
  notifyOnly: boolean;
  ingest: { connections: number; warmupS: number; durationS: number };
  processor: { replicas: number[]; accounts: number; perAccount: number };
  e2e: { rates: number[]; warmupS: number; durationS: number; accounts: number; historyPerAccount: number };
  notify: {
    rate: number;
    warmupS: number;
    durationS: number;
    users: number;
    endpointsPerUser: number;
    hangingShare: number;
  };
}

const PLANS: Record<Mode, Omit<BenchPlan, 'mode' | 'out' | 'notifyOnly'>> = {
  full: {
    ingest: { connections: 32, warmupS: 3, durationS: 10 },
    processor: { replicas: [1, 2], accounts: 50, perAccount: 60 },
    e2e: { rates: [100, 250, 500], warmupS: 12, durationS: 20, accounts: 100, historyPerAccount: 500 },
    notify: { rate: 1000, warmupS: 10, durationS: 20, users: 100, endpointsPerUser: 2, hangingShare: 0.1 },
  },
  quick: {
    ingest: { connections: 32, warmupS: 1, durationS: 3 },
    processor: { replicas: [1], accounts: 20, perAccount: 30 },
    e2e: { rates: [100, 500], warmupS: 3, durationS: 5, accounts: 20, historyPerAccount: 200 },
    notify: { rate: 1000, warmupS: 3, durationS: 5, users: 50, endpointsPerUser: 2, hangingShare: 0.1 },
  },
  // For the test that proves the report is produced: seconds, not figures.
  tiny: {
    ingest: { connections: 4, warmupS: 0, durationS: 1 },
    processor: { replicas: [1], accounts: 3, perAccount: 6 },
    e2e: { rates: [20], warmupS: 0, durationS: 2, accounts: 3, historyPerAccount: 10 },
    notify: { rate: 40, warmupS: 0, durationS: 2, users: 3, endpointsPerUser: 2, hangingShare: 0.1 },
  },
};

export const USAGE =
  'usage: npm run bench [-- --quick | --tiny] [--notify-only] [--out FILE]   (default: the full run, written to bench/results.json; --quick to bench/results.quick.json; --notify-only to bench/results.notify.json)';

export function planFrom(argv: string[]): BenchPlan {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      tiny: { type: 'boolean' },
      'notify-only': { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  if (values.quick && values.tiny) throw new Error(`--quick and --tiny exclude each other\n${USAGE}`);
  const mode: Mode = values.tiny ? 'tiny' : values.quick ? 'quick' : 'full';
  // Only a full run replaces the published results; the others default to an ignored file.
  const notifyOnly = values['notify-only'] ?? false;
  const file = notifyOnly ? 'results.notify.json' : mode === 'full' ? 'results.json' : `results.${mode}.json`;
  return { mode, notifyOnly, out: path.resolve(values.out ?? path.join(ROOT, 'bench', file)), ...PLANS[mode] };
}
