import fc from 'fast-check';
import type { IngestRequest } from '@utm/contracts';
import { uniqueSymbol, type Fixture } from '@utm/testkit';
import { Stack } from '../support/stack';

/**
 * A signal's outcome depends only on the account's earlier signals and the market: the same
 * random sequence of opens, closes, reverses, partial closes and limit entries (some resting,
 * some marketable) ends with the same per-signal statuses and orders, the same position and
 * the same cash whether each signal is sent after the previous one was worked (the reference),
 * all are sent back to back, the executor stalls at random moments meanwhile, or two
 * processors and two executors share the work.
 */
type Body = Partial<IngestRequest> & Record<string, unknown>;

const QUOTE = '10';
const step: fc.Arbitrary<Body> = fc.oneof(
  fc.record({ action: fc.constantFrom('openLong', 'openShort'), quantity: fc.integer({ min: 1, max: 5 }) }),
  fc.constantFrom<Body>(
    { action: 'closeLong' },
    { action: 'closeShort' },
    { action: 'reverseToLong' },
    { action: 'reverseToShort' },
  ),
  fc.record({
    action: fc.constantFrom('closeLong', 'closeShort'),
    quantity: fc.constantFrom(50, 100),
    quantityType: fc.constant('PERCENT_POSITION'),
  }),
  // Against a quote of 10: a buy limit at 9 or a sell limit at 11 rests, the others fill.
  fc.record({
    action: fc.constantFrom('openLong', 'openShort'),
    quantity: fc.integer({ min: 1, max: 5 }),
    orderType: fc.constant('LIMIT'),
    limitPrice: fc.constantFrom(9, 11),
    timeInForce: fc.constant('GTC'),
  }),
);

const WORKED = ['SUBMITTED', 'PARTIALLY_FILLED', 'FILLED', 'REJECTED', 'FAILED', 'CANCELLED', 'EXPIRED'];

/** Once every signal is worked and nothing of the account is still to place or to cancel: the ending. */
async function outcome(stack: Stack, f: Fixture, symbol: string, ids: string[]) {
  for (const id of ids) await stack.until(id, WORKED);
  await stack.waitFor(
    'the account to be quiet',
    () =>
      stack.db.prisma.order.count({
        where: {
          accountId: f.accountId,
          OR: [
            { status: { in: ['NEW', 'SUBMITTING'] } },
            { status: { in: ['ACCEPTED', 'PARTIALLY_FILLED'] }, cancelRequestedAt: { not: null } },
          ],
        },
      }),
    (n) => n === 0,
  );
  const signals = [];
  for (const id of ids) {
    const s = await stack.signal(id);
    signals.push({
      status: s.status,
      code: s.errorCode,
      orders: s.orders.map(
        (o) => `${o.role} ${o.side} ${o.quantity.toFixed()} ${o.status} ${o.filledQuantity.toFixed()}`,
      ),
    });
  }
  const account = await stack.account(f.accountId);
  return { signals, position: account.positions[symbol]?.quantity ?? '0', cash: account.cash };
}

type Mode = 'one by one' | 'back to back' | 'stalls' | 'jobs reversed';

async function run(stack: Stack, bodies: Body[], mode: Mode, stalls: number[] = []) {
  const f = await stack.fixture();
  const symbol = uniqueSymbol('D');
  await stack.quote(symbol, QUOTE);
  const ids: string[] = [];
  // The processors find every job waiting, in the reverse of acceptance order.
  if (mode === 'jobs reversed') for (const p of stack.processors) await p.worker.pause();
  for (const [i, b] of bodies.entries()) {
    if (mode === 'stalls' && stalls.includes(i)) for (const e of stack.executors) await e.worker.pause();
    const id = await stack.send(f, { symbol, ...b });
    ids.push(id);
    if (mode === 'one by one') await stack.until(id, WORKED);
    if (mode === 'stalls' && stalls.includes(i)) {
      await new Promise((r) => setTimeout(r, 20 + ((i * 37) % 60)));
      for (const e of stack.executors) e.worker.resume();
    }
  }
  if (mode === 'jobs reversed') {
    const queue = stack.signalsQueue;
    const jobs = await queue.getWaiting(0, 1000);
    const ours = jobs.filter((j) => ids.includes(j.data.signalId));
    await Promise.all(ours.map((j) => j.remove()));
    for (const j of ours.reverse()) await queue.add(j.name, j.data, { ...j.opts, jobId: j.id });
    for (const p of stack.processors) p.worker.resume();
  }
  return outcome(stack, f, symbol, ids);
}

describe('signal outcomes never depend on timing', () => {
  const single = new Stack();
  const replicated = new Stack({ replicas: { processors: 2, executors: 2 } });
  beforeAll(async () => {
    await single.start();
    await replicated.start();
  }, 60000);
  afterAll(async () => {
    await single.stop();
    await replicated.stop();
  });

  it('same sequence, same ending: one by one, back to back, with stalls, with two replicas of each, jobs reversed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 4, maxLength: 10 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 9 }), { maxLength: 4 }),
        async (bodies, stalls) => {
          const reference = await run(single, bodies, 'one by one');
          expect(await run(single, bodies, 'back to back')).toEqual(reference);
          expect(await run(single, bodies, 'stalls', stalls)).toEqual(reference);
          expect(await run(replicated, bodies, 'back to back')).toEqual(reference);
          expect(await run(replicated, bodies, 'jobs reversed')).toEqual(reference);
        },
      ),
      { numRuns: 8 },
    );
  }, 240000);
});
