import { onLegFill, resizeLegsForEntryFill, supersededIds, type LegAmendment } from '../../src/domain/exit-legs';
import {
  amendFields,
  changesAtBroker,
  nativeGroup,
  resizeMethod,
  type ResizableLeg,
  type ResizeVenue,
} from '../../src/domain/leg-resize';
import { ALPACA_CAPABILITIES } from '../../src/venues/alpaca';
import { D, leg } from './helpers';

const alpaca: ResizeVenue = { broker: 'alpaca', replace: ALPACA_CAPABILITIES.replace ?? null };
const noReplace: ResizeVenue = { broker: 'other', replace: null };
const paper: ResizeVenue = { broker: null, replace: null };

/** A working leg of 2 at the broker, typed as its role places it. */
function at(id: string, role: ResizableLeg['role'], overrides: Partial<ResizableLeg> = {}): ResizableLeg {
  const type = role === 'STOP_LOSS' ? 'STOP' : role === 'TAKE_PROFIT' ? 'LIMIT' : 'TRAILING_STOP';
  return {
    ...leg(id, role, { quantity: D(2) }),
    type,
    carriedBy: null,
    cancelRequested: false,
    replaces: null,
    ...overrides,
  };
}

const grow: LegAmendment = { id: 'sl', quantity: D(4) };

describe('resizeMethod: how a leg takes its new size', () => {
  const sl = at('sl', 'STOP_LOSS');
  // [name, legs, the leg, change, venue, filled leg, method, reason contains]
  const cases: [string, ResizableLeg[], ResizableLeg, LegAmendment, ResizeVenue, string | null, string, string][] = [
    ['paper: the row is the book', [sl], sl, grow, paper, null, 'IN_PLACE', 'paper'],
    [
      'not sent yet',
      [at('sl', 'STOP_LOSS', { status: 'NEW' })],
      at('sl', 'STOP_LOSS', { status: 'NEW' }),
      grow,
      alpaca,
      null,
      'IN_PLACE',
      'not sent',
    ],
    [
      'a cancel was asked for: left alone',
      [at('sl', 'STOP_LOSS', { cancelRequested: true })],
      at('sl', 'STOP_LOSS', { cancelRequested: true }),
      grow,
      alpaca,
      null,
      'SKIP',
      'cancel',
    ],
    [
      'working, whole shares, nothing filled: the replace request',
      [sl],
      sl,
      grow,
      alpaca,
      null,
      'AMEND',
      "alpaca's replace request",
    ],
    [
      'in flight: once the broker has answered',
      [at('sl', 'STOP_LOSS', { status: 'SUBMITTING' })],
      at('sl', 'STOP_LOSS', { status: 'SUBMITTING' }),
      grow,
      alpaca,
      null,
      'DEFER',
      'answered',
    ],
    [
      'a fractional quantity: cancelled first',
      [sl],
      sl,
      { id: 'sl', quantity: D('2.5') },
      alpaca,
      null,
      'CANCEL_FIRST',
      'whole quantities',
    ],
    [
      'partly filled: cancelled first',
      [at('sl', 'STOP_LOSS', { status: 'PARTIALLY_FILLED', filledQuantity: D(1) })],
      at('sl', 'STOP_LOSS', { status: 'PARTIALLY_FILLED', filledQuantity: D(1) }),
      grow,
      alpaca,
      null,
      'CANCEL_FIRST',
      'filled in part',
    ],
    [
      'a broker without a replace request: cancelled first',
      [sl],
      sl,
      grow,
      noReplace,
      null,
      'CANCEL_FIRST',
      'cannot replace',
    ],
    [
      'only our bookkeeping of a trailing stop changes: nothing sent',
      [at('tr', 'TRAILING_STOP')],
      at('tr', 'TRAILING_STOP'),
      { id: 'tr', trailReference: D(103), stopPrice: D(100) },
      alpaca,
      null,
      'IN_PLACE',
      'holds nothing',
    ],
    [
      'an earlier replace was refused: kept, and says so',
      [sl, at('r', 'STOP_LOSS', { status: 'REJECTED', replaces: 'sl' })],
      sl,
      grow,
      alpaca,
      null,
      'KEEP',
      'refused',
    ],
  ];
  it.each(cases)('%s', (_name, legs, l, change, venue, filled, method, reason) => {
    const d = resizeMethod(legs, l, change, venue, filled);
    expect(d.method).toBe(method);
    expect(d.reason).toContain(reason);
  });

  describe('a native OCO pair (the stop loss carried by the take profit)', () => {
    const tp = at('tp', 'TAKE_PROFIT');
    const stop = at('sl', 'STOP_LOSS', { carriedBy: 'tp' });
    it("the entry fills further: the pair is cancelled first, then placed again (Alpaca cannot change its legs' qty)", () => {
      expect(nativeGroup([tp, stop], stop).map((l) => l.id)).toEqual(['tp', 'sl']);
      expect(resizeMethod([tp, stop], tp, { id: 'tp', quantity: D(4) }, alpaca).method).toBe('CANCEL_FIRST');
      expect(resizeMethod([tp, stop], stop, grow, alpaca).method).toBe('CANCEL_FIRST');
    });
    it('its take profit fills in part: the broker adjusts the stop loss itself, the row follows', () => {
      const d = resizeMethod(
        [at('tp', 'TAKE_PROFIT', { status: 'PARTIALLY_FILLED', filledQuantity: D(1) }), stop],
        stop,
        { id: 'sl', quantity: D(1) },
        alpaca,
        'tp',
      );
      expect(d).toEqual({
        method: 'IN_PLACE',
        reason: 'alpaca adjusts the stop loss of its OCO order to what the take profit has left',
      });
    });
    it('its stop loss is executing: nothing is sent (a cancel would take the stop with it)', () => {
      const executing = at('sl', 'STOP_LOSS', { carriedBy: 'tp', status: 'PARTIALLY_FILLED', filledQuantity: D(1) });
      expect(resizeMethod([tp, executing], tp, { id: 'tp', quantity: D(1) }, alpaca, 'sl').method).toBe('KEEP');
      expect(resizeMethod([tp, executing], tp, { id: 'tp', quantity: D(5) }, alpaca).method).toBe('KEEP');
    });
    it('a lone leg is in no group', () => {
      expect(nativeGroup([sl], sl)).toEqual([]);
    });
  });
});

describe('amendFields: what a replace request sends', () => {
  const old = { type: 'STOP' as const, quantity: D(2), limitPrice: null, stopPrice: D(95) };
  it.each([
    [
      'quantity and stop',
      { quantity: D(4), limitPrice: null, stopPrice: D('95.5') },
      { quantity: '4', limitPrice: null, stopPrice: '95.5' },
    ],
    [
      'quantity only: the stop is the same',
      { quantity: D(4), limitPrice: null, stopPrice: D(95) },
      { quantity: '4', limitPrice: null, stopPrice: null },
    ],
    [
      'a limit price on a stop order is never sent',
      { quantity: D(3), limitPrice: D(99), stopPrice: D(95) },
      { quantity: '3', limitPrice: null, stopPrice: null },
    ],
  ])('%s', (_name, next, expected) => {
    const f = amendFields(old, next);
    expect({
      quantity: f.quantity?.toFixed() ?? null,
      limitPrice: f.limitPrice?.toFixed() ?? null,
      stopPrice: f.stopPrice?.toFixed() ?? null,
    }).toEqual(expected);
  });
  it('changesAtBroker: a trailing stop holds its quantity, not our reference', () => {
    expect(changesAtBroker({ type: 'TRAILING_STOP' }, { id: 'tr', trailReference: D(1), stopPrice: D(2) })).toBe(false);
    expect(changesAtBroker({ type: 'TRAILING_STOP' }, { id: 'tr', quantity: D(1) })).toBe(true);
    expect(changesAtBroker({ type: 'LIMIT' }, { id: 'tp', limitPrice: D(1) })).toBe(true);
  });
});

describe('a leg being replaced: its replacement is the one sized', () => {
  const old = at('sl', 'STOP_LOSS');
  const replacement = at('r', 'STOP_LOSS', { status: 'SUBMITTING', quantity: D(4), replaces: 'sl' });
  const rules = { stopLoss: { type: 'PERCENT' as const, value: 5 } };
  it('supersededIds: an open leg that an open leg replaces', () => {
    expect([...supersededIds([old, replacement])]).toEqual(['sl']);
    expect([...supersededIds([old, { ...replacement, status: 'REJECTED' }])]).toEqual([]);
    expect([...supersededIds([{ ...old, status: 'CANCELLED' }, replacement])]).toEqual([]);
  });
  it('the entry fills further: the replacement is amended, not the old leg', () => {
    const r = resizeLegsForEntryFill([old, replacement], {
      entrySide: 'BUY',
      filledQuantity: D(6),
      avgFillPrice: D(100),
      exitRules: rules,
    });
    expect(r.amend.map((a) => [a.id, a.quantity?.toFixed()])).toEqual([['r', '6']]);
  });
  it('a sibling fills in part: the old leg still counts for what it filled, only the replacement shrinks', () => {
    const tr = at('tr', 'TRAILING_STOP', { quantity: D(4) });
    const r = onLegFill(
      [{ ...old, filledQuantity: D(1), status: 'PARTIALLY_FILLED' }, replacement, tr],
      D(4),
      'tr',
      D(1),
    );
    expect(r.resize.map((x) => [x.id, x.quantity.toFixed()])).toEqual([['r', '2']]);
    expect(r.positionLeft.toFixed()).toBe('2');
  });
});
