import { ERROR_CODES, signalStatusOf, type ErrorCode } from '@utm/contracts';
import type { SignalSummary } from '../../src/api';
import { formatDecimal, formatMoney, formatSize } from '../../src/format';
import { PLAIN_REASONS } from '../../src/reasons';
import { mergeSignal } from '../../src/signal-list';

describe('plain-words reasons', () => {
  // Answered synchronously by the HTTP API: they never end a stored signal.
  const REQUEST_ONLY = [
    'INVALID_API_KEY',
    'SIGNAL_NOT_FOUND',
    'NOT_FOUND',
    'IDEMPOTENCY_CONFLICT',
    'PAYLOAD_TOO_LARGE',
    'UNSUPPORTED_MEDIA_TYPE',
    'RATE_LIMIT_EXCEEDED',
    'INVALID_ADMIN_TOKEN',
    'CROSS_SITE_REQUEST',
  ];

  it('has words for every code that can end a signal REJECTED or FAILED', () => {
    const ending = (Object.keys(ERROR_CODES) as ErrorCode[]).filter(
      (c) => ['REJECTED', 'FAILED'].includes(signalStatusOf(c)) && !REQUEST_ONLY.includes(c),
    );
    expect(ending).toContain('NO_POSITION');
    expect(ending.filter((c) => !PLAIN_REASONS[c])).toEqual([]);
  });
});

describe('decimals are regrouped as text, never through floats', () => {
  it.each([
    ['98497.5', 2, '98,497.50'],
    ['0.1', 0, '0.1'],
    ['-1234567.123456789', 0, '-1,234,567.123456789'],
    ['12345678901234567890.0000000001', 0, '12,345,678,901,234,567,890.0000000001'],
  ])('%s', (value, minFraction, shown) => expect(formatDecimal(value, minFraction)).toBe(shown));
  it('shows a missing value as a dash', () => expect(formatMoney(null)).toBe('—'));
  it('says what a size means', () => {
    expect(formatSize({ quantity: 5, quantityType: 'PERCENT_EQUITY' }, 'openLong')).toBe('5% of equity');
    expect(formatSize({ quantity: 1000, quantityType: 'DOLLAR_AMOUNT' }, 'openLong')).toBe('$1,000');
    expect(formatSize({}, 'closeLong')).toBe('whole position');
  });
});

describe('a live update on the loaded Signals list', () => {
  const s = (id: string, at: string, status = 'PENDING', symbol = 'AAPL'): SignalSummary => ({
    signalId: id,
    status: status as SignalSummary['status'],
    accountId: 'a',
    symbol,
    action: 'openLong',
    appliedAction: null,
    request: {},
    receivedAt: at,
    updatedAt: at,
  });
  const rows = [s('3', '2026-01-01T00:00:03Z'), s('1', '2026-01-01T00:00:01Z')];

  it('replaces the row of a known signal with its newer state', () => {
    const next = { ...s('1', '2026-01-01T00:00:01Z', 'FILLED'), updatedAt: '2026-01-01T00:00:09Z' };
    expect(mergeSignal(rows, next, {}, true).map((r) => [r.signalId, r.status])).toEqual([
      ['3', 'PENDING'],
      ['1', 'FILLED'],
    ]);
    // An older state never overwrites a newer one.
    const stale = { ...s('1', '2026-01-01T00:00:01Z', 'PENDING'), updatedAt: '2026-01-01T00:00:00Z' };
    expect(mergeSignal(mergeSignal(rows, next, {}, true), stale, {}, true)[1]?.status).toBe('FILLED');
  });

  it('inserts a new signal at its place by time, unless it belongs to a page not loaded', () => {
    expect(mergeSignal(rows, s('4', '2026-01-01T00:00:04Z'), {}, false).map((r) => r.signalId)).toEqual([
      '4',
      '3',
      '1',
    ]);
    expect(mergeSignal(rows, s('2', '2026-01-01T00:00:02Z'), {}, false).map((r) => r.signalId)).toEqual([
      '3',
      '2',
      '1',
    ]);
    expect(mergeSignal(rows, s('0', '2026-01-01T00:00:00Z'), {}, false).map((r) => r.signalId)).toEqual(['3', '1']);
    expect(mergeSignal(rows, s('0', '2026-01-01T00:00:00Z'), {}, true).map((r) => r.signalId)).toEqual(['3', '1', '0']);
  });

  it('respects the filters: other symbols stay out, a row leaving the status filter goes', () => {
    expect(mergeSignal(rows, s('4', '2026-01-01T00:00:04Z', 'PENDING', 'MSFT'), { symbol: 'AAPL' }, true)).toBe(rows);
    const filled = { ...s('3', '2026-01-01T00:00:03Z', 'FILLED'), updatedAt: '2026-01-01T00:00:09Z' };
    expect(mergeSignal(rows, filled, { status: 'PENDING' }, true).map((r) => r.signalId)).toEqual(['1']);
  });
});
