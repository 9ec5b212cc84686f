import { UnrecoverableError } from '@utm/queue';
import { BrokerUnreachable, jobFailure } from '../../src/use-cases/order-job-failed';

describe('jobFailure: retried, or final and with what', () => {
  const transient = new Error('connect ECONNREFUSED');
  it.each([
    ['a transient error with attempts left: retried', transient, 1, 5, { final: false }],
    [
      'the last attempt used: retries exhausted',
      transient,
      5,
      5,
      { final: true, code: 'RETRIES_EXHAUSTED', message: 'Retries exhausted: connect ECONNREFUSED' },
    ],
    [
      'an unrecoverable error on the first attempt: final at once',
      new UnrecoverableError('bad payload'),
      1,
      5,
      { final: true, code: 'RETRIES_EXHAUSTED', message: 'Retries exhausted: bad payload' },
    ],
    [
      "the account's broker cannot be reached: a broker error, with why",
      new BrokerUnreachable('alpaca cannot be reached for this account: no credentials'),
      1,
      5,
      { final: true, code: 'BROKER_ERROR', message: 'alpaca cannot be reached for this account: no credentials' },
    ],
  ] as [string, Error, number, number, ReturnType<typeof jobFailure>][])(
    '%s',
    (_name, err, made, attempts, expected) => {
      expect(jobFailure(err, made, attempts)).toEqual(expected);
    },
  );
});
