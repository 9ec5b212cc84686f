import type { SignalFilter, SignalSummary } from './api';

/**
 * How a live update changes the loaded list of the Signals page: replace the row of the
 * signal if it is there (or drop it when it no longer matches the status filter), insert a
 * new one at its place by time if it belongs to the loaded range, else leave the list alone.
 */
export function matches(s: SignalSummary, f: SignalFilter): boolean {
  return (
    (!f.accountId || s.accountId === f.accountId) &&
    (!f.status || s.status === f.status) &&
    (!f.symbol || s.symbol === f.symbol)
  );
}

function newer(a: SignalSummary, b: SignalSummary): SignalSummary {
  return Date.parse(a.updatedAt) >= Date.parse(b.updatedAt) ? a : b;
}

export function mergeSignal(
  rows: SignalSummary[],
  s: SignalSummary,
  f: SignalFilter,
  complete: boolean,
): SignalSummary[] {
  const i = rows.findIndex((r) => r.signalId === s.signalId);
  if (i >= 0) {
    const next = newer(s, rows[i] as SignalSummary);
    if (!matches(next, f)) return rows.filter((_, j) => j !== i);
    return rows.map((r, j) => (j === i ? next : r));
  }
  if (!matches(s, f)) return rows;
  const at = Date.parse(s.receivedAt);
  const pos = rows.findIndex((r) => Date.parse(r.receivedAt) < at);
  // Older than everything loaded while more pages exist: it belongs to a page not loaded yet.
  if (pos < 0 && !complete) return rows;
  return pos < 0 ? [...rows, s] : [...rows.slice(0, pos), s, ...rows.slice(pos)];
}

/** The first page arrived: updates received while it loaded win where they are newer. */
export function mergePage(
  page: SignalSummary[],
  updates: Map<string, SignalSummary>,
  f: SignalFilter,
  complete: boolean,
): SignalSummary[] {
  let rows = page;
  for (const s of updates.values()) rows = mergeSignal(rows, s, f, complete);
  return rows;
}
