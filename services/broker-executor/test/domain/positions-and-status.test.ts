import { Decimal } from '@utm/db';
import { applyFillToPosition, averageFill, cashAfterFill } from '../../src/domain/positions';
import { signalOutcome, type SignalOrderState } from '../../src/domain/signal-status';

const D = (v: string | number) => new Decimal(v);
const pos = (q: string, p: string) => ({ quantity: D(q), avgPrice: D(p) });
const view = (p: { quantity: Decimal; avgPrice: Decimal }) => [p.quantity.toFixed(), p.avgPrice.toFixed()];

describe('applyFillToPosition', () => {
  it.each([
    ['opens a long', null, 'BUY', '10', '100', ['10', '100']],
    ['adds to a long at the weighted average', pos('10', '100'), 'BUY', '10', '110', ['20', '105']],
    ['reduces a long, average unchanged', pos('10', '100'), 'SELL', '4', '120', ['6', '100']],
    ['closes a long', pos('10', '100'), 'SELL', '10', '120', ['0', '0']],
    ['flips a long to a short at the fill price', pos('10', '100'), 'SELL', '15', '120', ['-5', '120']],
    ['opens a short', null, 'SELL', '3', '50.5', ['-3', '50.5']],
    ['adds to a short', pos('-3', '50'), 'SELL', '1', '54', ['-4', '51']],
    ['covers part of a short', pos('-4', '51'), 'BUY', '1', '40', ['-3', '51']],
    ['flips a short to a long', pos('-4', '51'), 'BUY', '6', '40', ['2', '40']],
    [
      'keeps exact decimals',
      pos('3', '33.3333333333'),
      'BUY',
      '0.000001',
      '10',
      ['3.000001', '33.3333255555248148250617'],
    ],
  ] as const)('%s', (_n, before, side, q, p, expected) => {
    const after = view(applyFillToPosition(before, side, D(q), D(p)));
    expect(after[0]).toBe(expected[0]);
    expect(
      D(after[1] ?? '0')
        .toDecimalPlaces(12)
        .toFixed(),
    ).toBe(D(expected[1]).toDecimalPlaces(12).toFixed());
  });

  it('moves cash by the notional: buys pay, sells receive', () => {
    expect(cashAfterFill(D('1000'), 'BUY', D('3'), D('150.25')).toFixed()).toBe('549.25');
    expect(cashAfterFill(D('1000'), 'SELL', D('3'), D('150.25')).toFixed()).toBe('1450.75');
  });

  it('averages fills of one order', () => {
    expect(averageFill(D(0), null, D(4), D('10')).toFixed()).toBe('10');
    expect(averageFill(D(4), D('10'), D(6), D('11')).toFixed()).toBe('10.6');
  });
});

describe('signalOutcome (ENTRY and CLOSE orders only)', () => {
  const o = (
    status: SignalOrderState['status'],
    filled = '0',
    error: [string, string] | null = null,
  ): SignalOrderState => ({
    status,
    filledQuantity: D(filled),
    errorCode: error?.[0] ?? null,
    errorMessage: error?.[1] ?? null,
  });
  it.each([
    ['no orders', [], null],
    ['still to be placed', [o('NEW')], 'PROCESSING'],
    ['one placed, one still submitting', [o('ACCEPTED'), o('SUBMITTING')], 'PROCESSING'],
    ['all at the broker', [o('ACCEPTED'), o('ACCEPTED')], 'SUBMITTED'],
    ['partly filled', [o('PARTIALLY_FILLED', '3')], 'PARTIALLY_FILLED'],
    ['close filled, entry working', [o('FILLED', '5'), o('ACCEPTED')], 'PARTIALLY_FILLED'],
    ['all filled', [o('FILLED', '5'), o('FILLED', '5')], 'FILLED'],
    [
      'refused by the broker',
      [o('FILLED', '5'), o('REJECTED', '0', ['BROKER_ERROR', 'insufficient buying power'])],
      'FAILED',
    ],
    ['cancelled unfilled', [o('CANCELLED')], 'CANCELLED'],
    ['expired', [o('EXPIRED')], 'EXPIRED'],
    ['partly filled then cancelled', [o('CANCELLED', '2')], 'CANCELLED'],
  ] as const)('%s → %s', (_n, orders, status) => {
    expect(signalOutcome([...orders])?.status ?? null).toBe(status);
  });

  it('carries the broker refusal and the end reasons', () => {
    expect(signalOutcome([o('REJECTED', '0', ['BROKER_ERROR', 'insufficient buying power'])])).toEqual({
      status: 'FAILED',
      errorCode: 'BROKER_ERROR',
      errorMessage: 'insufficient buying power',
    });
    expect(signalOutcome([o('EXPIRED')])).toMatchObject({ errorCode: 'ORDER_EXPIRED' });
  });
});
