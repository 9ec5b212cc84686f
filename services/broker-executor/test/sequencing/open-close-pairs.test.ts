import { uniqueSymbol } from '@utm/testkit';
import { Stack } from '../support/stack';

/**
 * A user sends buy then sell, each as soon as the previous request was answered: every signal
 * is applied to the position its earlier signals left (the market entry is placed and, with a
 * quote on the paper market, filled before the close is worked), whatever the executor has
 * done yet. Before deterministic sequencing 34 of these 40 ended CANCELLED.
 */
describe('open/close pairs sent back to back', () => {
  const stack = new Stack();
  beforeAll(() => stack.start(), 60000);
  afterAll(() => stack.stop());

  it('fills all 40 and leaves the position flat', async () => {
    const f = await stack.fixture();
    const symbol = uniqueSymbol('P');
    await stack.quote(symbol, '100');
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(await stack.send(f, { symbol, action: 'openLong', quantity: 1 }));
      ids.push(await stack.send(f, { symbol, action: 'closeLong' }));
    }
    const ended = [];
    for (const id of ids) ended.push(await stack.until(id, ['FILLED', 'REJECTED', 'FAILED', 'CANCELLED', 'EXPIRED']));
    expect(ended.map((s) => s.status)).toEqual(ids.map(() => 'FILLED'));
    const account = await stack.account(f.accountId);
    expect(account.positions[symbol]).toBeUndefined();
    expect(account.cash).toBe('100000');
  }, 60000);

  it('also when the executor is down while they arrive, and starts later', async () => {
    const f = await stack.fixture();
    const symbol = uniqueSymbol('P');
    await stack.quote(symbol, '50');
    await stack.executor.worker.pause();
    const ids: string[] = [];
    try {
      for (let i = 0; i < 10; i++) {
        ids.push(await stack.send(f, { symbol, action: 'openLong', quantity: 2 }));
        ids.push(await stack.send(f, { symbol, action: 'closeLong' }));
      }
      // The processor must not decide ahead of the executor: nothing is cancelled meanwhile.
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      stack.executor.worker.resume();
    }
    const ended = [];
    for (const id of ids) ended.push(await stack.until(id, ['FILLED', 'REJECTED', 'FAILED', 'CANCELLED', 'EXPIRED']));
    expect(ended.map((s) => s.status)).toEqual(ids.map(() => 'FILLED'));
    expect((await stack.account(f.accountId)).positions[symbol]).toBeUndefined();
  }, 60000);
});
