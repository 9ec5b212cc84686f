import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second (USER_HZ): 100 on Linux x86/arm. */
const TICKS_PER_S = 100;

/** CPU seconds (user + system) a process has used so far, or null off Linux or once it is gone. */
function cpuSecondsOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
  } catch {
    return null;
  }
}

/** The pids of processes whose command name is `comm` (e.g. every Postgres backend). */
function pidsNamed(comm: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    });
}

export type CpuUse = Record<string, number>;

/**
 * CPU time spent by each named group of processes between start() and stop(), in seconds:
 * the services under test by pid, Postgres and Redis by command name (when they run on this
 * machine). Where the load went, not only how long it took.
 */
export function cpuMeter(groups: Record<string, () => number[]>) {
  const read = () => {
    const out: Record<string, Map<number, number>> = {};
    for (const [name, pids] of Object.entries(groups)) {
      const m = new Map<number, number>();
      for (const pid of pids()) {
        const s = cpuSecondsOf(pid);
        if (s !== null) m.set(pid, s);
      }
      out[name] = m;
    }
    return out;
  };
  let before = read();
  return {
    start() {
      before = read();
    },
    stop(): CpuUse {
      const after = read();
      const use: CpuUse = {};
      for (const [name, m] of Object.entries(after)) {
        let total = 0;
        // A process that started meanwhile counts from zero; one that ended is lost (rare: pools keep theirs).
        for (const [pid, s] of m) total += s - (before[name]?.get(pid) ?? 0);
        use[name] = Math.round(total * 100) / 100;
      }
      return use;
    },
  };
}

export const postgresPids = () => pidsNamed('postgres');
export const redisPids = () => pidsNamed('redis-server');
