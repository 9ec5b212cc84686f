import type { ExitRules } from '@utm/contracts';
import type { BrokerCapabilities } from '../../src/venues/broker/types';
import { legsForBroker } from '../../src/domain/exit-legs';

const ALL_TYPES: BrokerCapabilities['orderTypes'] = ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT', 'TRAILING_STOP'];
const everything: BrokerCapabilities = {
  orderTypes: ALL_TYPES,
  nativeBracket: true,
  nativeOco: true,
  nativeTrailingStop: true,
  fractional: true,
};
const ocoOnly: BrokerCapabilities = { ...everything, nativeBracket: false };
const plain: BrokerCapabilities = { ...everything, nativeBracket: false, nativeOco: false };
const noTrailing: BrokerCapabilities = {
  ...plain,
  nativeTrailingStop: false,
  orderTypes: ['MARKET', 'LIMIT', 'STOP', 'STOP_LIMIT'],
};
const noStops: BrokerCapabilities = { ...plain, orderTypes: ['MARKET', 'LIMIT'] };

const pct = (value: number) => ({ type: 'PERCENT' as const, value });
const price = (value: number) => ({ type: 'PRICE' as const, value });

describe('legsForBroker', () => {
  // [name, capabilities, rules, bracket with entry, OCO after fill, legs as role:via, executor one-cancels-other]
  const cases: [string, BrokerCapabilities, ExitRules | null, boolean, boolean, string[], boolean][] = [
    ['no rules: nothing', everything, null, false, false, [], false],
    [
      'absolute stop and target: a native bracket',
      everything,
      { stopLoss: price(95), takeProfit: price(110) },
      true,
      false,
      ['STOP_LOSS:BRACKET', 'TAKE_PROFIT:BRACKET'],
      false,
    ],
    [
      'relative prices wait for the fill: a native OCO',
      everything,
      { stopLoss: pct(2), takeProfit: price(110) },
      false,
      true,
      ['STOP_LOSS:OCO', 'TAKE_PROFIT:OCO'],
      false,
    ],
    [
      'with a trailing stop: no bracket; OCO pair + trailing order, the executor links them',
      everything,
      { stopLoss: price(95), takeProfit: price(110), trailingStop: pct(3) },
      false,
      true,
      ['STOP_LOSS:OCO', 'TAKE_PROFIT:OCO', 'TRAILING_STOP:ORDER'],
      true,
    ],
    [
      'OCO without bracket support',
      ocoOnly,
      { stopLoss: price(95), takeProfit: price(110) },
      false,
      true,
      ['STOP_LOSS:OCO', 'TAKE_PROFIT:OCO'],
      false,
    ],
    [
      'no native grouping: separate orders, the executor is the OCO',
      plain,
      { stopLoss: pct(2), takeProfit: pct(4) },
      false,
      false,
      ['STOP_LOSS:ORDER', 'TAKE_PROFIT:ORDER'],
      true,
    ],
    ['a stop loss alone is one order', everything, { stopLoss: pct(2) }, false, false, ['STOP_LOSS:ORDER'], false],
    ['a target alone is one order', everything, { takeProfit: pct(2) }, false, false, ['TAKE_PROFIT:ORDER'], false],
    [
      'a trailing stop alone is one native order',
      everything,
      { trailingStop: pct(2) },
      false,
      false,
      ['TRAILING_STOP:ORDER'],
      false,
    ],
    [
      'stop loss and trailing stop: two orders, linked by the executor',
      everything,
      { stopLoss: pct(2), trailingStop: pct(2) },
      false,
      false,
      ['STOP_LOSS:ORDER', 'TRAILING_STOP:ORDER'],
      true,
    ],
    [
      'no native trailing stop: that leg is unsupported, the others go',
      noTrailing,
      { stopLoss: pct(2), takeProfit: pct(4), trailingStop: pct(3) },
      false,
      false,
      ['STOP_LOSS:ORDER', 'TAKE_PROFIT:ORDER', 'TRAILING_STOP:UNSUPPORTED'],
      true,
    ],
    [
      'no STOP orders: no stop loss',
      noStops,
      { stopLoss: pct(2), takeProfit: pct(4) },
      false,
      false,
      ['STOP_LOSS:UNSUPPORTED', 'TAKE_PROFIT:ORDER'],
      false,
    ],
  ];

  it.each(cases)('%s', (_name, caps, rules, bracket, oco, legs, executorOco) => {
    const plan = legsForBroker(caps, rules);
    expect({
      bracket: plan.bracketWithEntry,
      oco: plan.ocoAfterFill,
      legs: plan.legs.map((l) => `${l.role}:${l.via}`),
      executorOco: plan.executorOneCancelsOther,
    }).toEqual({ bracket, oco, legs, executorOco });
  });

  it('says why a leg is unsupported', () => {
    expect(legsForBroker(noTrailing, { trailingStop: pct(3) }).legs).toEqual([
      {
        role: 'TRAILING_STOP',
        via: 'UNSUPPORTED',
        reason: 'the broker has no native trailing stop for this instrument',
      },
    ]);
    expect(legsForBroker(noStops, { stopLoss: pct(3) }).legs).toEqual([
      { role: 'STOP_LOSS', via: 'UNSUPPORTED', reason: 'the broker does not take STOP orders' },
    ]);
  });
});
