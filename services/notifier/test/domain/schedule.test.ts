import fc from 'fast-check';
import { backoffMs, MAX_RETRY_DELAY_MS, nextAttempt } from '../../src/delivery/schedule';

describe('retry schedule', () => {
  it.each([
    [1, 5000],
    [2, 10000],
    [3, 20000],
    [8, 640000],
    [12, 10240000],
    [13, MAX_RETRY_DELAY_MS],
    [40, MAX_RETRY_DELAY_MS],
  ])('after %i failed attempt(s) waits %i ms before jitter', (n, ms) => {
    expect(backoffMs(n)).toBe(ms);
  });

  const t0 = new Date('2026-12-01T00:00:00Z');
  const until = new Date(t0.getTime() + 24 * 3600 * 1000);

  it('jitters within ±20%, never undercuts a retry_after, gives up past the window', () => {
    expect(nextAttempt(1, t0, until, 0)).toEqual({ at: new Date(t0.getTime() + 4000) });
    expect(nextAttempt(1, t0, until, 0.999999)).toEqual({ at: new Date(t0.getTime() + 6000) });
    expect(nextAttempt(1, t0, until, 0.5, 65000)).toEqual({ at: new Date(t0.getTime() + 65000) });
    expect(nextAttempt(1, new Date(until.getTime() - 3000), until, 0.5)).toEqual({ giveUp: true });
  });

  it('a delivery failing for ever is tried over its whole 24 h and then given up (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 40, maxLength: 40 }),
        (draws) => {
          let now = t0;
          let attempts = 0;
          for (const r of draws) {
            attempts += 1;
            const next = nextAttempt(attempts, now, until, r);
            if ('giveUp' in next) break;
            expect(next.at > now).toBe(true);
            expect(next.at <= until).toBe(true);
            now = next.at;
          }
          // Given up within the draws: 16 attempts (jitter +20% throughout) to 19 (-20%) fit in 24 h.
          expect(attempts).toBeGreaterThanOrEqual(16);
          expect(attempts).toBeLessThanOrEqual(19);
          expect(until.getTime() - now.getTime()).toBeLessThan(MAX_RETRY_DELAY_MS * 1.2);
        },
      ),
    );
  });
});
