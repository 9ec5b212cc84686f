import { createCaptureLogger, redact, redactString, REDACTED } from '../src';

const KEY = 'utm_paper_AbCdEfGhIjKlMnOpQrStUvWx0123';

describe('redaction', () => {
  it.each([
    [`/api/v1/signals/ingest?apiKey=${KEY}`, `/api/v1/signals/ingest?apiKey=${REDACTED}`],
    [`http://h/x?a=1&APIKEY=secret123&b=2`, `http://h/x?a=1&APIKEY=${REDACTED}&b=2`],
    [`GET /x?api_key=abc#frag`, `GET /x?api_key=${REDACTED}#frag`],
    [`key was ${KEY}.`, `key was ${REDACTED}.`],
  ])('scrubs %s', (input, expected) => {
    expect(redactString(input)).toBe(expected);
  });

  it('drops secret fields at any depth and keeps the rest', () => {
    const out = redact({
      headers: { 'X-API-Key': KEY, 'content-type': 'application/json' },
      nested: [{ password: 'p', ok: 1 }],
    });
    expect(out).toEqual({
      headers: { 'X-API-Key': REDACTED, 'content-type': 'application/json' },
      nested: [{ password: REDACTED, ok: 1 }],
    });
    expect(redact({ adminToken: 't', ADMIN_TOKEN: 't', authorization: 'Bearer t' })).toEqual({
      adminToken: REDACTED,
      ADMIN_TOKEN: REDACTED,
      authorization: REDACTED,
    });
  });

  it('never writes a key through the logger, in message, meta or error', () => {
    const { logger, lines } = createCaptureLogger('test');
    logger.info(`request /ingest?apiKey=${KEY}`, { url: `/ingest?apiKey=${KEY}`, headers: { 'x-api-key': KEY } });
    logger.error('failed', { err: new Error(`bad key ${KEY}`) });
    logger.child({ requestId: 'r1' }).warn('child', { key: KEY });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line).not.toContain(KEY);
      expect(line).not.toContain('AbCdEf');
      expect(JSON.parse(line).service).toBe('test');
    }
    expect(JSON.parse(lines[2] ?? '{}').requestId).toBe('r1');
  });
});

describe('levels', () => {
  it('drops entries below the level before formatting them, and follows a level changed later', () => {
    const { logger, lines } = createCaptureLogger('test', 'info');
    const child = logger.child({ module: 'm' });
    // A nested getter that throws if the entry is formatted (redaction walks every field; winston
    // itself only copies the top level).
    const poisoned = {
      get boom(): string {
        throw new Error('formatted a dropped entry');
      },
    };
    child.debug('not at info', { nested: poisoned });
    child.info('at info', { n: 1 });
    logger.level = 'debug';
    child.debug('now at debug', { n: 2 });
    expect(lines.map((l) => (JSON.parse(l) as { message: string }).message)).toEqual(['at info', 'now at debug']);
  });
});
