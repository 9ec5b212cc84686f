import fc from 'fast-check';
import { JOBS, type IngestRequest } from '@utm/contracts';
import type { Fixture } from '@utm/testkit';
import { Harness, symbolFor } from './support/harness';

/**
 * Per-account order, proven: the same 200 signals (interleaved over 5 accounts, each
 * account's own sequence fixed) go once to two processor replicas that get the jobs in a
 * shuffled order, and once to a single replica with concurrency 1 that applies them one by
 * one. Every signal must end the same way in both, with the same orders in the same order.
 */
const ACCOUNTS = 5;
const SIGNALS = 200;

type Body = Partial<IngestRequest> & Record<string, unknown>;

function script(symbols: string[]): Body[][] {
  const step = fc.record({
    symbol: fc.constantFrom(...symbols),
    kind: fc.integer({ min: 0, max: 8 }),
    quantity: fc.integer({ min: 1, max: 40 }),
  });
  const steps =
    fc.sample(fc.array(step, { minLength: SIGNALS, maxLength: SIGNALS }), { seed: 4242, numRuns: 1 })[0] ?? [];
  const perAccount: Body[][] = Array.from({ length: ACCOUNTS }, () => []);
  steps.forEach((s, i) => {
    const body: Body = [
      { action: 'openLong', quantity: s.quantity },
      { action: 'openShort', quantity: s.quantity },
      { action: 'closeLong' },
      { action: 'closeShort' },
      { action: 'reverseToLong' },
      { action: 'reverseToShort', quantity: s.quantity },
      { action: 'closeLong', quantity: 50, quantityType: 'PERCENT_POSITION' },
      { action: 'openLong', quantity: 30, quantityType: 'PERCENT_EQUITY' },
      { action: 'openLong', quantity: s.quantity, orderType: 'LIMIT', limitPrice: 9.5 },
    ][s.kind] as Body;
    perAccount[i % ACCOUNTS]?.push({ symbol: s.symbol, ...body, comment: `step ${i}` });
  });
  return perAccount;
}

async function run(
  h: Harness,
  symbols: string[],
  plan: Body[][],
  shuffle: boolean,
  replicas: { concurrency: number }[],
) {
  const fixtures: Fixture[] = [];
  for (let i = 0; i < ACCOUNTS; i++) fixtures.push(await h.fixture({ cash: '5000' }));
  for (const s of symbols) await h.quote(s, '10');
  // One stream per account, each sequential: a well-defined acceptance order per account.
  const ids = await Promise.all(
    plan.map(async (bodies, a) => {
      const out: string[] = [];
      for (const b of bodies) out.push(await h.send(fixtures[a] as Fixture, b));
      return out;
    }),
  );
  if (shuffle) {
    const jobs = await h.signalsQueue.getWaiting(0, SIGNALS * 2);
    expect(jobs).toHaveLength(SIGNALS);
    await Promise.all(jobs.map((j) => j.remove()));
    const shuffled =
      fc.sample(fc.shuffledSubarray(jobs, { minLength: jobs.length, maxLength: jobs.length }), {
        seed: 7,
        numRuns: 1,
      })[0] ?? jobs;
    for (const j of shuffled)
      await h.signalsQueue.add(JOBS.signals.name, j.data, {
        jobId: j.id,
        attempts: 8,
        backoff: { type: 'exponential', delay: 200 },
      });
  }
  const procs = replicas.map((r) => h.processor({ concurrency: r.concurrency, lockTimeoutMs: 20000 }));
  const rows = await h.settled(ids.flat(), 120000);
  for (const p of procs) expect(p.worker.isRunning()).toBe(true);
  return ids.map((accountIds) =>
    accountIds.map((id) => {
      const s = rows.get(id);
      return {
        status: s?.status,
        code: s?.errorCode ?? null,
        orders: (s?.orders ?? []).map((o) => `${o.role} ${o.side} ${o.quantity.toFixed()} ${o.symbol}`),
      };
    }),
  );
}

describe('signals of one account are applied in acceptance order, whatever the replicas', () => {
  const parallel = new Harness();
  const sequential = new Harness();
  beforeAll(async () => {
    await parallel.start();
    await sequential.start();
  });
  afterAll(async () => {
    await parallel.stop();
    await sequential.stop();
  });

  it('two replicas on shuffled jobs end exactly like one replica applying them one by one', async () => {
    const symbols = [symbolFor('ord'), symbolFor('ord')];
    const plan = script(symbols);
    const seq = await run(sequential, symbols, plan, false, [{ concurrency: 1 }]);
    const par = await run(parallel, symbols, plan, true, [{ concurrency: 4 }, { concurrency: 4 }]);
    expect(par).toEqual(seq);

    // The script is not trivial: it produces orders, rejections of several kinds, reverses.
    const outcomes = seq.flat();
    expect(outcomes.filter((o) => o.status === 'PROCESSING').length).toBeGreaterThan(40);
    expect(new Set(outcomes.map((o) => o.code).filter(Boolean)).size).toBeGreaterThanOrEqual(3);
    expect(outcomes.some((o) => o.orders.length === 2)).toBe(true);

    // Orders of each account were created in the order of their signals.
    const orders = await parallel.db.prisma.order.findMany({
      include: { signal: { select: { seq: true } } },
      orderBy: { seq: 'asc' },
      where: { symbol: { in: symbols } },
    });
    const byAccount = new Map<string, bigint[]>();
    for (const o of orders) byAccount.set(o.accountId, [...(byAccount.get(o.accountId) ?? []), o.signal.seq]);
    for (const seqs of byAccount.values()) expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  }, 180000);
});
