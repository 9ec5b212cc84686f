import type { ExitLeg } from '../../src/domain/exit-legs';
import { onLegFill, openLegIds } from '../../src/domain/exit-legs';
import { D, leg } from './helpers';

const three = (overrides: Partial<Record<'sl' | 'tp' | 'tr', Partial<ExitLeg>>> = {}): ExitLeg[] => [
  leg('sl', 'STOP_LOSS', overrides.sl),
  leg('tp', 'TAKE_PROFIT', overrides.tp),
  leg('tr', 'TRAILING_STOP', overrides.tr),
];

function result(legs: ExitLeg[], entryFilled: string, id: string, cumulative: string) {
  const r = onLegFill(legs, D(entryFilled), id, D(cumulative));
  return {
    cancel: r.cancel,
    resize: r.resize.map((x) => [x.id, x.quantity.toFixed()]),
    cancelEntryRemainder: r.cancelEntryRemainder,
    positionLeft: r.positionLeft.toFixed(),
    excess: r.excess.toFixed(),
  };
}

describe('onLegFill: one-cancels-other by the position the legs protect', () => {
  // [name, legs, entry filled, filled leg, its cumulative filled quantity, cancel, resize, cancel entry rest, left, excess]
  const cases: [string, ExitLeg[], string, string, string, string[], [string, string][], boolean, string, string][] = [
    [
      'the stop loss fills completely: the others are cancelled',
      three(),
      '10',
      'sl',
      '10',
      ['tp', 'tr'],
      [],
      true,
      '0',
      '0',
    ],
    ['the trailing stop fills completely', three(), '10', 'tr', '10', ['sl', 'tp'], [], true, '0', '0'],
    [
      'the take profit fills partially: the others shrink to the rest',
      three(),
      '10',
      'tp',
      '4',
      [],
      [
        ['sl', '6'],
        ['tr', '6'],
      ],
      false,
      '6',
      '0',
    ],
    [
      'then completely',
      three({
        tp: { status: 'PARTIALLY_FILLED', filledQuantity: D(4) },
        sl: { quantity: D(6) },
        tr: { quantity: D(6) },
      }),
      '10',
      'tp',
      '10',
      ['sl', 'tr'],
      [],
      true,
      '0',
      '0',
    ],
    [
      'a replayed update changes nothing',
      three({
        tp: { status: 'PARTIALLY_FILLED', filledQuantity: D(4) },
        sl: { quantity: D(6) },
        tr: { quantity: D(6) },
      }),
      '10',
      'tp',
      '4',
      [],
      [],
      false,
      '6',
      '0',
    ],
    [
      'an older cumulative never moves it back',
      three({
        tp: { status: 'PARTIALLY_FILLED', filledQuantity: D(4) },
        sl: { quantity: D(6) },
        tr: { quantity: D(6) },
      }),
      '10',
      'tp',
      '3',
      [],
      [],
      false,
      '6',
      '0',
    ],
    [
      'a second leg fills partially too: each keeps what it filled plus the rest',
      three({
        tp: { status: 'PARTIALLY_FILLED', quantity: D(10), filledQuantity: D(4) },
        sl: { quantity: D(6) },
        tr: { quantity: D(6) },
      }),
      '10',
      'sl',
      '3',
      [],
      [
        ['tp', '7'],
        ['tr', '3'],
      ],
      false,
      '3',
      '0',
    ],
    [
      'fractions',
      three(),
      '1.5',
      'sl',
      '0.333333',
      [],
      [
        ['tp', '1.166667'],
        ['tr', '1.166667'],
      ],
      false,
      '1.166667',
      '0',
    ],
    [
      'the entry is partly filled: a complete leg fill also stops the entry',
      three({ sl: { quantity: D(4) }, tp: { quantity: D(4) }, tr: { quantity: D(4) } }),
      '4',
      'tp',
      '4',
      ['sl', 'tr'],
      [],
      true,
      '0',
      '0',
    ],
    [
      'an undersized leg filled completely: the others keep protecting what is left',
      three({ sl: { quantity: D(4) } }),
      '10',
      'sl',
      '4',
      [],
      [
        ['tp', '6'],
        ['tr', '6'],
      ],
      false,
      '6',
      '0',
    ],
    [
      'two legs executed before the cancel reached the broker: the excess is reported',
      three({ tp: { status: 'FILLED', filledQuantity: D(10) }, tr: { status: 'CANCELLED' } }),
      '10',
      'sl',
      '2',
      [],
      [],
      true,
      '0',
      '2',
    ],
    [
      'finished legs are neither cancelled nor resized',
      three({ tr: { status: 'REJECTED' } }),
      '10',
      'tp',
      '4',
      [],
      [['sl', '6']],
      false,
      '6',
      '0',
    ],
  ];

  it.each(cases)(
    '%s',
    (_name, legs, entryFilled, id, cumulative, cancel, resize, cancelEntryRemainder, positionLeft, excess) => {
      expect(result(legs, entryFilled, id, cumulative)).toEqual({
        cancel,
        resize,
        cancelEntryRemainder,
        positionLeft,
        excess,
      });
    },
  );

  it('a leg that is not one of them is a programming error', () => {
    expect(() => onLegFill(three(), D(10), 'nope', D(1))).toThrow("leg nope is not one of the entry's exit legs");
  });
});

describe('openLegIds: what a close or reverse cancels', () => {
  it('the legs still working, whatever their stage', () => {
    const legs = [
      leg('a', 'STOP_LOSS', { status: 'NEW' }),
      leg('b', 'TAKE_PROFIT', { status: 'SUBMITTING' }),
      leg('c', 'TRAILING_STOP', { status: 'ACCEPTED' }),
      leg('d', 'STOP_LOSS', { status: 'PARTIALLY_FILLED' }),
      leg('e', 'STOP_LOSS', { status: 'FILLED' }),
      leg('f', 'STOP_LOSS', { status: 'CANCELLED' }),
      leg('g', 'STOP_LOSS', { status: 'REJECTED' }),
      leg('h', 'STOP_LOSS', { status: 'EXPIRED' }),
    ];
    expect(openLegIds(legs)).toEqual(['a', 'b', 'c', 'd']);
  });
});
