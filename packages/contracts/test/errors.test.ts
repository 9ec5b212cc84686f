import { AppError, ERROR_CODES, errorBody, httpStatusOf, isRetryable, signalStatusOf } from '../src';

describe('error table', () => {
  it.each([
    ['VALIDATION_ERROR', 400],
    ['INVALID_API_KEY', 401],
    ['ACCOUNT_NOT_FOUND', 404],
    ['IDEMPOTENCY_CONFLICT', 409],
    ['PAYLOAD_TOO_LARGE', 413],
    ['UNSUPPORTED_MEDIA_TYPE', 415],
    ['MODE_MISMATCH', 422],
    ['RATE_LIMIT_EXCEEDED', 429],
    ['SERVICE_UNAVAILABLE', 503],
  ] as const)('%s is HTTP %i (the ingest table)', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('rule refusals reject the signal and are final; broker errors fail it', () => {
    for (const code of [
      'POSITION_CONFLICT',
      'NO_POSITION',
      'NO_PRICE',
      'INSUFFICIENT_BUYING_POWER',
      'INVALID_EXIT_RULE',
      'ALREADY_AT_TARGET',
      'STALE_SIGNAL',
    ] as const) {
      expect(signalStatusOf(code)).toBe('REJECTED');
      expect(isRetryable(new AppError(code, 'x'))).toBe(false);
    }
    expect(signalStatusOf('BROKER_ERROR')).toBe('FAILED');
    expect(isRetryable(new AppError('SERVICE_UNAVAILABLE', 'x'))).toBe(true);
    expect(isRetryable(new Error('connection reset'))).toBe(true);
  });

  it('builds the error body, details only when given', () => {
    expect(errorBody(new AppError('INVALID_API_KEY', 'nope'))).toEqual({
      success: false,
      error: 'INVALID_API_KEY',
      message: 'nope',
    });
    const withDetails = errorBody(
      new AppError('VALIDATION_ERROR', 'bad', { details: [{ field: 'symbol', message: 'm' }] }),
    );
    expect(withDetails.details).toEqual([{ field: 'symbol', message: 'm' }]);
    expect(Object.keys(ERROR_CODES).length).toBeGreaterThan(20);
  });
});
