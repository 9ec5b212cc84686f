import type { PaperOrder } from '../../../src/venues/paper/matching';
import { onArrival, onQuote } from '../../../src/venues/paper/matching';
import { apply, D, NOW, order, show } from './helpers';

type Step = [quote: string, expected: Record<string, string | boolean>];

/** Feeds quotes to a resting order one by one, writing back each REST's changes as the executor does. */
function run(start: PaperOrder, steps: Step[]): void {
  let o = start;
  steps.forEach(([quote, expected], i) => {
    const outcome = onQuote(o, D(quote), NOW);
    expect({ step: i, quote, ...show(outcome) }).toEqual({ step: i, quote, ...expected });
    o = apply(o, outcome);
  });
}

const REST = { kind: 'REST' };
const fill = (price: string): Record<string, string> => ({ kind: 'FILL', price, quantity: '10' });

describe('STOP_LIMIT: triggered, then not fillable, then fillable', () => {
  it('BUY stop 100 limit 101', () => {
    run(order({ side: 'BUY', type: 'STOP_LIMIT', stopPrice: D(100), limitPrice: D(101) }), [
      ['99', REST],
      ['102', { kind: 'REST', triggered: true }],
      ['101.5', REST], // still a limit above its price; nothing to write
      ['99', fill('99')], // back under the stop: a triggered stop-limit stays a limit
    ]);
  });

  it('SELL stop 100 limit 99', () => {
    run(order({ side: 'SELL', type: 'STOP_LIMIT', stopPrice: D(100), limitPrice: D(99) }), [
      ['100.5', REST],
      ['98.5', { kind: 'REST', triggered: true }],
      ['98.99', REST],
      ['99.2', fill('99.2')],
    ]);
  });

  it('a triggered one arriving (the executor restarted) is a plain limit', () => {
    const o = order({ side: 'BUY', type: 'STOP_LIMIT', stopPrice: D(100), limitPrice: D(101), triggered: true });
    expect(show(onArrival(o, D(90), NOW))).toEqual(fill('90'));
  });
});

const trailing = (overrides: Partial<PaperOrder>): PaperOrder =>
  order({ type: 'TRAILING_STOP', timeInForce: 'GTC', ...overrides });

describe('trailing stop protecting a long (SELL): follows the highest price, triggers on the way down', () => {
  it('percent: reference up, stop up (rounded down to the cent), never back, then fills at the quote', () => {
    run(trailing({ side: 'SELL', trailPercent: D(5), trailReference: D(100), stopPrice: D(95) }), [
      ['99', REST],
      ['102', { kind: 'REST', trailReference: '102', stopPrice: '96.9' }],
      ['101', REST],
      ['110.37', { kind: 'REST', trailReference: '110.37', stopPrice: '104.85' }], // 104.8515 → down
      ['104.86', REST],
      ['104.85', fill('104.85')],
    ]);
  });

  it('amount: the stop sits the amount under the best price', () => {
    run(trailing({ side: 'SELL', trailAmount: D('2.5'), trailReference: D(50), stopPrice: D('47.5') }), [
      ['51.237', { kind: 'REST', trailReference: '51.237', stopPrice: '48.73' }], // 48.737 → down
      ['49', REST],
      ['48.5', fill('48.5')], // gapped under the stop: the quote, not the stop
    ]);
  });

  it('a gap through the stop on the first quote fills at the quote', () => {
    run(trailing({ side: 'SELL', trailPercent: D(5), trailReference: D(100), stopPrice: D(95) }), [['90', fill('90')]]);
  });

  it('below a dollar the tick is 0.0001', () => {
    run(trailing({ side: 'SELL', trailPercent: D(3), trailReference: D('0.5'), stopPrice: D('0.485') }), [
      ['0.77777', { kind: 'REST', trailReference: '0.77777', stopPrice: '0.7544' }], // 0.7544369 → down
    ]);
  });
});

describe('trailing stop protecting a short (BUY): follows the lowest price, triggers on the way up', () => {
  it('percent: reference down, stop down (rounded up to the cent), then fills at the quote', () => {
    run(trailing({ side: 'BUY', trailPercent: D(5), trailReference: D(100), stopPrice: D(105) }), [
      ['101', REST],
      ['98', { kind: 'REST', trailReference: '98', stopPrice: '102.9' }],
      ['99', REST],
      ['90.01', { kind: 'REST', trailReference: '90.01', stopPrice: '94.52' }], // 94.5105 → up
      ['94.51', REST],
      ['94.6', fill('94.6')],
    ]);
  });

  it('amount', () => {
    run(trailing({ side: 'BUY', trailAmount: D(3), trailReference: D(40), stopPrice: D(43) }), [
      ['38.004', { kind: 'REST', trailReference: '38.004', stopPrice: '41.01' }], // 41.004 → up
      ['41.01', fill('41.01')],
    ]);
  });
});

describe('trailing stop state', () => {
  it('no reference yet: the first quote sets it and the stop, without triggering', () => {
    run(trailing({ side: 'SELL', trailPercent: D(2) }), [
      ['200', { kind: 'REST', trailReference: '200', stopPrice: '196' }],
      ['196', fill('196')],
    ]);
  });

  it('a stored stop tighter than the computed one is kept (a stop never loosens)', () => {
    run(trailing({ side: 'SELL', trailPercent: D(5), trailReference: D(100), stopPrice: D(96) }), [
      ['100.5', { kind: 'REST', trailReference: '100.5' }], // 95.47 would be looser than 96
      ['96', fill('96')],
    ]);
  });

  it('arrival without a quote writes the initial stop from the reference', () => {
    const o = trailing({ side: 'SELL', trailPercent: D('7.5'), trailReference: D('123.45') });
    expect(show(onArrival(o, null, NOW))).toEqual({ kind: 'REST', stopPrice: '114.19' }); // 114.19125 → down
    expect(show(onArrival(trailing({ side: 'BUY', trailAmount: D(1) }), null, NOW))).toEqual(REST);
  });

  it('an amount larger than the price leaves a stop that cannot trigger yet', () => {
    run(trailing({ side: 'SELL', trailAmount: D(10), trailReference: D(5) }), [
      ['4', { kind: 'REST', stopPrice: '-5' }],
      ['12', { kind: 'REST', trailReference: '12', stopPrice: '2' }],
      ['2', fill('2')],
    ]);
  });
});
