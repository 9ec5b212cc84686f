import { RequestBudget, type RequestPriority } from '../../../src/venues/alpaca';

/** A clock the test moves; timers still run on the real one, so windows are short. */
describe('RequestBudget: one Alpaca account, 200 a minute, placement first', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('never more than the limit in any window: tokens come back one window after their request ended', async () => {
    const budget = new RequestBudget({ perMinute: 5, windowMs: 300, reserve: 0 });
    const ended: number[] = [];
    const started: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, () =>
        budget.run('trade', async () => {
          started.push(Date.now());
          await wait(5);
          ended.push(Date.now());
        }),
      ),
    );
    started.sort((a, b) => a - b);
    ended.sort((a, b) => a - b);
    // Any request starts at least a window after the request five places before it ended.
    for (let i = 5; i < started.length; i++)
      expect((started[i] ?? 0) - (ended[i - 5] ?? 0)).toBeGreaterThanOrEqual(295);
  });

  it('waiting requests go trade first, then poll, then reconcile; polling never takes the reserve', async () => {
    const budget = new RequestBudget({ perMinute: 4, windowMs: 150, reserve: 2 });
    const order: RequestPriority[] = [];
    const ask = (p: RequestPriority) => budget.run(p, async () => void order.push(p));
    // Background requests leave the last two tokens to placement.
    await Promise.all([ask('reconcile'), ask('poll')]);
    expect(budget.available).toBe(2);
    const waiting = ask('poll');
    await wait(20);
    expect(budget.queued).toBe(1);
    await ask('trade');
    await ask('trade');
    expect(order).toEqual(['reconcile', 'poll', 'trade', 'trade']);
    // None left: whatever waits goes by priority once tokens come back, whenever it asked.
    order.length = 0;
    const later = [ask('reconcile'), ask('poll'), ask('trade'), ask('trade')];
    await Promise.all([waiting, ...later]);
    expect(order).toEqual(['trade', 'trade', 'poll', 'poll', 'reconcile']);
  });

  it('a request that fails still ends its token', async () => {
    const budget = new RequestBudget({ perMinute: 1, windowMs: 100, reserve: 0 });
    let failedAt = 0;
    const fail = async () => {
      failedAt = Date.now();
      throw new Error('down');
    };
    await expect(budget.run('trade', fail)).rejects.toThrow('down');
    let startedAt = 0;
    await budget.run('trade', async () => void (startedAt = Date.now()));
    expect(startedAt - failedAt).toBeGreaterThanOrEqual(100);
  });
});
