import { errorText } from '../src/worker/error-text';

describe('errorText', () => {
  it.each([
    [
      'Prisma raw query',
      new Error(
        '\nInvalid `prisma.$queryRaw()` invocation:\n\n\nRaw query failed. Code: `55P03`. Message: `canceling statement due to lock timeout`',
      ),
      'canceling statement due to lock timeout (SQLSTATE 55P03)',
    ],
    [
      'Prisma other',
      new Error('\nInvalid `prisma.order.create()` invocation:\n\nUnique constraint failed on the fields: (`id`)'),
      'Unique constraint failed on the fields: (`id`)',
    ],
    ['plain', new Error('connect ECONNREFUSED 127.0.0.1:5432'), 'connect ECONNREFUSED 127.0.0.1:5432'],
    ['not an error', 'boom', 'boom'],
  ])('%s', (_n, err, expected) => {
    expect(errorText(err)).toBe(expected);
  });
});
