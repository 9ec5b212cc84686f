import type { ExitRule, ExitRules, TrailingStopRule } from '@utm/contracts';
import { exitPrices, type ExitPricesResult } from '../src/exit-prices';
import type { Side } from '../src/exit-prices';
import { Decimal } from '@utm/db';

const D = (v: string | number) => new Decimal(v);

type Leg = 'stopLoss' | 'takeProfit';

function legOf(result: ExitPricesResult, leg: Leg): string | undefined {
  if (!result.ok) throw new Error(`expected prices, got: ${result.message}`);
  return result.prices[leg]?.toFixed();
}

function problemOf(result: ExitPricesResult): string {
  if (result.ok) throw new Error(`expected a problem, got prices ${JSON.stringify(result.prices)}`);
  return result.message;
}

describe('exitPrices: stop loss and take profit', () => {
  // [side, leg, rule, fill, tick, expected]: long (BUY) stop below / target above, short (SELL) mirrored,
  // each rounded to the tick away from the money.
  const cases: [Side, Leg, ExitRule, string, string, string][] = [
    // PERCENT of the fill price
    ['BUY', 'stopLoss', { type: 'PERCENT', value: 2 }, '150.255', '0.01', '147.24'], // 147.2499 rounded DOWN
    ['BUY', 'takeProfit', { type: 'PERCENT', value: 3 }, '101.01', '0.01', '104.05'], // 104.0403 rounded UP
    ['SELL', 'stopLoss', { type: 'PERCENT', value: 2 }, '150.255', '0.01', '153.27'], // 153.2601 rounded UP
    ['SELL', 'takeProfit', { type: 'PERCENT', value: 3 }, '150.255', '0.01', '145.74'], // 145.74735 rounded DOWN
    ['BUY', 'stopLoss', { type: 'PERCENT', value: 10 }, '100', '0.01', '90'], // already on a tick
    ['BUY', 'takeProfit', { type: 'PERCENT', value: 10 }, '100', '0.01', '110'],
    ['SELL', 'stopLoss', { type: 'PERCENT', value: 10 }, '100', '0.01', '110'],
    ['SELL', 'takeProfit', { type: 'PERCENT', value: 10 }, '100', '0.01', '90'],
    ['BUY', 'stopLoss', { type: 'PERCENT', value: 0.5 }, '150.255', '0.01', '149.5'], // 149.503725
    ['BUY', 'takeProfit', { type: 'PERCENT', value: 150 }, '100', '0.01', '250'], // a long's target may exceed 100%
    ['SELL', 'stopLoss', { type: 'PERCENT', value: 150 }, '100', '0.01', '250'], // so may a short's stop
    ['BUY', 'stopLoss', { type: 'PERCENT', value: 5 }, '0.5', '0.0001', '0.475'], // sub-dollar tick
    ['BUY', 'takeProfit', { type: 'PERCENT', value: 3 }, '0.3333', '0.0001', '0.3433'], // 0.343299 UP
    ['SELL', 'stopLoss', { type: 'PERCENT', value: 7 }, '0.3333', '0.0001', '0.3567'], // 0.356631 UP
    ['SELL', 'takeProfit', { type: 'PERCENT', value: 7 }, '0.3333', '0.0001', '0.3099'], // 0.309969 DOWN
    // AMOUNT: a price offset
    ['BUY', 'stopLoss', { type: 'AMOUNT', value: 2.5 }, '150.255', '0.01', '147.75'], // 147.755 DOWN
    ['BUY', 'takeProfit', { type: 'AMOUNT', value: 2.5 }, '150.255', '0.01', '152.76'], // 152.755 UP
    ['SELL', 'stopLoss', { type: 'AMOUNT', value: 2.5 }, '150.255', '0.01', '152.76'], // 152.755 UP
    ['SELL', 'takeProfit', { type: 'AMOUNT', value: 2.5 }, '150.255', '0.01', '147.75'], // 147.755 DOWN
    ['BUY', 'stopLoss', { type: 'AMOUNT', value: 0.1 }, '0.3', '0.0001', '0.2'], // 0.3 − 0.1 is 0.19999999999999998 in floats
    ['SELL', 'stopLoss', { type: 'AMOUNT', value: 0.2 }, '0.1', '0.0001', '0.3'], // 0.1 + 0.2 is 0.30000000000000004 in floats
    ['BUY', 'takeProfit', { type: 'AMOUNT', value: 149.99 }, '0.01', '0.01', '150'],
    // PRICE: the level itself
    ['BUY', 'stopLoss', { type: 'PRICE', value: 145.678 }, '150.255', '0.01', '145.67'],
    ['BUY', 'takeProfit', { type: 'PRICE', value: 160.001 }, '150.255', '0.01', '160.01'],
    ['SELL', 'stopLoss', { type: 'PRICE', value: 155.001 }, '150.255', '0.01', '155.01'],
    ['SELL', 'takeProfit', { type: 'PRICE', value: 140.009 }, '150.255', '0.01', '140'],
    ['BUY', 'stopLoss', { type: 'PRICE', value: 145 }, '150', '0.01', '145'],
    ['SELL', 'takeProfit', { type: 'PRICE', value: 145 }, '150', '0.01', '145'],
    ['BUY', 'stopLoss', { type: 'PRICE', value: 0.001 }, '150', '0.001', '0.001'], // tick from the instrument
  ];

  it.each(cases)('%s entry, %s %j at %s (tick %s) → %s', (side, leg, rule, fill, tick, expected) => {
    const result = exitPrices({ [leg]: rule }, side, D(fill), D(tick));
    expect(legOf(result, leg)).toBe(expected);
  });

  it('computes both legs and the trailing stop together', () => {
    const rules: ExitRules = {
      stopLoss: { type: 'PERCENT', value: 2 },
      takeProfit: { type: 'AMOUNT', value: 5 },
      trailingStop: { type: 'AMOUNT', value: 1 },
    };
    const result = exitPrices(rules, 'BUY', D('150.255'), D('0.01'));
    if (!result.ok) throw new Error(result.message);
    expect(result.prices.stopLoss?.toFixed()).toBe('147.24');
    expect(result.prices.takeProfit?.toFixed()).toBe('155.26');
    expect(result.prices.trailingStop?.initialStop.toFixed()).toBe('149.25');
  });

  it('returns no prices for no rules', () => {
    expect(exitPrices({}, 'BUY', D('150'), D('0.01'))).toEqual({ ok: true, prices: {} });
  });

  it('leaves out a leg that has no rule', () => {
    const result = exitPrices({ takeProfit: { type: 'PERCENT', value: 1 } }, 'SELL', D('100'), D('0.01'));
    if (!result.ok) throw new Error(result.message);
    expect(result.prices.stopLoss).toBeUndefined();
    expect(result.prices.trailingStop).toBeUndefined();
    expect(result.prices.takeProfit?.toFixed()).toBe('99');
  });
});

describe('exitPrices: trailing stop', () => {
  // [side, rule, fill, tick, trailPercent, trailAmount, initialStop]
  const cases: [Side, TrailingStopRule, string, string, string | null, string | null, string][] = [
    ['BUY', { type: 'PERCENT', value: 1.5 }, '150.255', '0.01', '1.5', null, '148'], // 148.001175 DOWN
    ['SELL', { type: 'PERCENT', value: 1.5 }, '150.255', '0.01', '1.5', null, '152.51'], // 152.508825 UP
    ['BUY', { type: 'AMOUNT', value: 0.333 }, '150.255', '0.01', null, '0.333', '149.92'], // 149.922 DOWN
    ['SELL', { type: 'AMOUNT', value: 0.333 }, '150.255', '0.01', null, '0.333', '150.59'], // 150.588 UP
    ['BUY', { type: 'PERCENT', value: 10 }, '100', '0.01', '10', null, '90'], // on a tick
    ['SELL', { type: 'AMOUNT', value: 5 }, '100', '0.01', null, '5', '105'],
    ['BUY', { type: 'PERCENT', value: 99.99 }, '100', '0.01', '99.99', null, '0.01'],
    ['SELL', { type: 'AMOUNT', value: 1000 }, '100', '0.01', null, '1000', '1100'], // a short's stop has no ceiling
    ['BUY', { type: 'PERCENT', value: 3 }, '0.3333', '0.0001', '3', null, '0.3233'], // 0.323301 DOWN
  ];

  it.each(cases)(
    '%s entry, trailing %j at %s (tick %s) → percent %s, amount %s, initial stop %s',
    (side, rule, fill, tick, percent, amount, initialStop) => {
      const result = exitPrices({ trailingStop: rule }, side, D(fill), D(tick));
      if (!result.ok) throw new Error(result.message);
      const t = result.prices.trailingStop;
      expect(t).toBeDefined();
      expect(t?.trailPercent?.toFixed() ?? null).toBe(percent);
      expect(t?.trailAmount?.toFixed() ?? null).toBe(amount);
      expect(t?.initialStop.toFixed()).toBe(initialStop);
    },
  );

  // Once a bug: at decimal.js's default 20 significant digits 150 − 1e-25 was exactly 150 and
  // the trailing stop started AT the fill. Now computed at 60 digits and checked against the
  // fill like the other legs. Exact arithmetic gives 149.99 (long) / 150.01 (short).
  it.each([
    ['BUY', { type: 'AMOUNT', value: 1e-25 }, '149.99'],
    ['SELL', { type: 'PERCENT', value: 1e-20 }, '150.01'],
  ] as const)(
    '%s entry with a vanishingly small trail %j never starts at the fill (exact: %s)',
    (side, rule, exact) => {
      const result = exitPrices({ trailingStop: rule }, side, D('150'), D('0.01'));
      expect(result.ok && result.prices.trailingStop?.initialStop.toFixed()).toBe(exact);
    },
  );

  it('refuses a trail so small that the stop would start at the fill even at 60 digits', () => {
    const result = exitPrices({ trailingStop: { type: 'AMOUNT', value: 1e-70 } }, 'BUY', D('150'), D('0.01'));
    expect(result).toEqual({
      ok: false,
      message: expect.stringMatching(/less than a tick from the entry price 150|149\.99/),
    });
  });
});

describe('exitPrices: invalid rules', () => {
  // [side, rules, fill, tick, message]
  const cases: [string, Side, ExitRules, string, string, string][] = [
    [
      'PRICE stop above a long',
      'BUY',
      { stopLoss: { type: 'PRICE', value: 151 } },
      '150',
      '0.01',
      'stop loss of a long must be below the entry price 150 (got 151)',
    ],
    [
      'PRICE stop at a long entry',
      'BUY',
      { stopLoss: { type: 'PRICE', value: 150 } },
      '150',
      '0.01',
      'stop loss of a long must be below the entry price 150 (got 150)',
    ],
    [
      'PRICE target below a long',
      'BUY',
      { takeProfit: { type: 'PRICE', value: 149 } },
      '150',
      '0.01',
      'take profit of a long must be above the entry price 150 (got 149)',
    ],
    [
      'PRICE target at a long entry',
      'BUY',
      { takeProfit: { type: 'PRICE', value: 150 } },
      '150',
      '0.01',
      'take profit of a long must be above the entry price 150 (got 150)',
    ],
    [
      'PRICE stop below a short',
      'SELL',
      { stopLoss: { type: 'PRICE', value: 149 } },
      '150',
      '0.01',
      'stop loss of a short must be above the entry price 150 (got 149)',
    ],
    [
      'PRICE target above a short',
      'SELL',
      { takeProfit: { type: 'PRICE', value: 151 } },
      '150',
      '0.01',
      'take profit of a short must be below the entry price 150 (got 151)',
    ],
    [
      'PRICE stop that rounds onto a long entry',
      'BUY',
      { stopLoss: { type: 'PRICE', value: 150.009 } },
      '150',
      '0.01',
      'stop loss of a long must be below the entry price 150 (got 150)',
    ],
    [
      'AMOUNT stop equal to a long price',
      'BUY',
      { stopLoss: { type: 'AMOUNT', value: 150 } },
      '150',
      '0.01',
      'stop loss of a long at 0 is not a positive price',
    ],
    [
      'AMOUNT stop above a long price',
      'BUY',
      { stopLoss: { type: 'AMOUNT', value: 200 } },
      '150',
      '0.01',
      'stop loss of a long at -50 is not a positive price',
    ],
    [
      'PERCENT stop of 100 on a long',
      'BUY',
      { stopLoss: { type: 'PERCENT', value: 100 } },
      '150',
      '0.01',
      'stop loss of a long at 0 is not a positive price',
    ],
    [
      'PERCENT stop of 120 on a long',
      'BUY',
      { stopLoss: { type: 'PERCENT', value: 120 } },
      '150',
      '0.01',
      'stop loss of a long at -30 is not a positive price',
    ],
    [
      'long stop that rounds down to 0',
      'BUY',
      { stopLoss: { type: 'PRICE', value: 0.001 } },
      '150',
      '0.01',
      'stop loss of a long at 0.001 is not a positive price',
    ],
    [
      'AMOUNT target equal to a short price',
      'SELL',
      { takeProfit: { type: 'AMOUNT', value: 150 } },
      '150',
      '0.01',
      'take profit of a short at 0 is not a positive price',
    ],
    [
      'PERCENT target of 100 on a short',
      'SELL',
      { takeProfit: { type: 'PERCENT', value: 100 } },
      '150',
      '0.01',
      'take profit of a short at 0 is not a positive price',
    ],
    [
      'trailing PERCENT of 100 on a long',
      'BUY',
      { trailingStop: { type: 'PERCENT', value: 100 } },
      '150',
      '0.01',
      'trailing stop percent must be below 100',
    ],
    [
      'trailing PERCENT of 100 on a short',
      'SELL',
      { trailingStop: { type: 'PERCENT', value: 100 } },
      '150',
      '0.01',
      'trailing stop percent must be below 100',
    ],
    [
      'trailing PERCENT of 250 on a long',
      'BUY',
      { trailingStop: { type: 'PERCENT', value: 250 } },
      '150',
      '0.01',
      'trailing stop percent must be below 100',
    ],
    [
      'trailing PERCENT that rounds down to 0',
      'BUY',
      { trailingStop: { type: 'PERCENT', value: 99.99 } },
      '0.01',
      '0.0001',
      'trailing stop of 99.99% leaves no positive stop price',
    ],
  ];

  it.each(cases)('%s', (_name, side, rules, fill, tick, message) => {
    expect(problemOf(exitPrices(rules, side, D(fill), D(tick)))).toBe(message);
  });

  it.each([
    ['equal to a long price', '150'],
    ['above a long price', '200'],
  ])('trailing AMOUNT %s leaves no positive stop', (_name, amount) => {
    const message = problemOf(
      exitPrices({ trailingStop: { type: 'AMOUNT', value: Number(amount) } }, 'BUY', D('150'), D('0.01')),
    );
    // The sentence names the amount; the exact spacing is cosmetic (see the report).
    expect(message).toMatch(new RegExp(`^trailing stop of ${amount}\\s+leaves no positive stop price$`));
  });

  it('reports several problems together, in leg order', () => {
    const rules: ExitRules = {
      stopLoss: { type: 'PRICE', value: 151 },
      takeProfit: { type: 'PRICE', value: 149 },
      trailingStop: { type: 'PERCENT', value: 100 },
    };
    expect(problemOf(exitPrices(rules, 'BUY', D('150'), D('0.01')))).toBe(
      'stop loss of a long must be below the entry price 150 (got 151); ' +
        'take profit of a long must be above the entry price 150 (got 149); ' +
        'trailing stop percent must be below 100',
    );
  });

  it('returns no prices when any one leg is invalid', () => {
    const result = exitPrices(
      { stopLoss: { type: 'PERCENT', value: 2 }, takeProfit: { type: 'PRICE', value: 140 } },
      'BUY',
      D('150'),
      D('0.01'),
    );
    expect(result).toEqual({ ok: false, message: 'take profit of a long must be above the entry price 150 (got 140)' });
  });

  it('throws on a tick that is not positive', () => {
    expect(() => exitPrices({ stopLoss: { type: 'PERCENT', value: 2 } }, 'BUY', D('150'), D('0'))).toThrow(
      'tick size must be positive',
    );
  });
});
