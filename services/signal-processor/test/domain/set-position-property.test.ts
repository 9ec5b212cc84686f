/**
 * Property: whatever sequence of setPosition targets arrives, each one decided on the position
 * the earlier ones left (their orders filled), the position ends at the last target — and every
 * step trades exactly the difference, never more.
 */
import fc from 'fast-check';
import type { NormalizedIngestRequest, Sentiment } from '@utm/contracts';
import { FRACTIONAL_STEP, WHOLE_SHARE } from '@utm/trading';
import { decide } from '../../src/domain/decide';
import type { OrderDraft } from '../../src/domain/types';
import { account, D, holding, NOW, request } from './helpers';
import type { Decimal } from '@utm/db';

interface Target {
  sentiment: Sentiment;
  /** Units, or a percent of equity. */
  quantity: string;
  quantityType: 'FIXED' | 'PERCENT_EQUITY';
}

/** Up to 4 decimals, 0 < q <= 1000 (FIXED); 0 < q <= 50 (% of equity). */
const targetArb: fc.Arbitrary<Target> = fc.oneof(
  fc.record({
    sentiment: fc.constantFrom<Sentiment>('long', 'short', 'flat'),
    quantity: fc.integer({ min: 1, max: 10_000_000 }).map((n) => D(n).div(10_000).toFixed()),
    quantityType: fc.constant<'FIXED'>('FIXED'),
  }),
  fc.record({
    sentiment: fc.constantFrom<Sentiment>('long', 'short'),
    quantity: fc.integer({ min: 1, max: 5000 }).map((n) => D(n).div(100).toFixed()),
    quantityType: fc.constant<'PERCENT_EQUITY'>('PERCENT_EQUITY'),
  }),
);

/** A fill of each order in full: an entry adds on its side; a close reduces toward zero, at most to it. */
function fill(position: Decimal, orders: OrderDraft[]): Decimal {
  let p = position;
  for (const o of orders) {
    const signed = o.side === 'BUY' ? o.quantity : o.quantity.neg();
    if (o.role === 'ENTRY') p = p.plus(signed);
    else if (o.side === 'SELL') p = p.gt(0) ? p.minus(o.quantity).clampedTo(0, p) : p;
    else p = p.lt(0) ? p.plus(o.quantity).clampedTo(p, 0) : p;
  }
  return p;
}

describe('setPosition property', () => {
  it.each([
    ['whole shares', WHOLE_SHARE],
    ['fractional', FRACTIONAL_STEP],
  ])('any sequence of targets, given fills, ends at the last target (%s)', (_name, step) => {
    fc.assert(
      fc.property(
        fc.array(targetArb, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 100_000 }).map((n) => D(n).div(100)), // the price, 0.01 .. 1,000.00
        (targets, price) => {
          const cash = D(1_000_000_000);
          let position = D(0);
          let expected = D(0);
          for (const t of targets) {
            const req: NormalizedIngestRequest = request('setPosition', { ...t });
            // Equity stays `cash` (cash is adjusted by the fills at `price`, positions marked at it).
            const acct = account({
              cash: cash.minus(position.times(price)),
              allowFractional: step !== WHOLE_SHARE,
              positions: position.isZero() ? [] : [{ symbol: 'AAPL', quantity: position, mark: price }],
            });
            const sym = holding(position.toFixed(), {
              quote: price,
              instrument: { quantityStep: step, tickSize: null },
            });
            const units =
              t.sentiment === 'flat'
                ? D(0)
                : (t.quantityType === 'FIXED' ? D(t.quantity) : cash.times(t.quantity).div(100).div(price))
                    .div(step)
                    .floor()
                    .times(step);
            const target = t.sentiment === 'short' ? units.neg() : units;
            const d = decide(req, acct, sym, NOW);
            if (d.kind === 'reject') {
              // The one refusal possible here: already there (a target rounding to nothing is flat).
              expect({ code: d.code, at: position.toFixed() }).toEqual({
                code: 'ALREADY_AT_TARGET',
                at: target.toFixed(),
              });
              continue;
            }
            const traded = d.orders.reduce((sum, o) => sum.plus(o.quantity), D(0));
            expect(traded.toFixed()).toBe(target.minus(position).abs().toFixed());
            position = fill(position, d.orders);
            expect(position.toFixed()).toBe(target.toFixed());
            expected = target;
          }
          expect(position.toFixed()).toBe(expected.toFixed());
        },
      ),
      { numRuns: 300 },
    );
  });
});
