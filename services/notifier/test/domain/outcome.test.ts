import { classify, type Answer } from '../../src/delivery/outcome';

const a = (status: number, body = '', headers: Record<string, string> = {}): Answer => ({ status, body, headers });
const NOW = Date.parse('2026-12-01T00:00:00Z');

describe('what an answer means', () => {
  it.each([
    ['webhook', a(200), { kind: 'delivered' }],
    ['webhook', a(204), { kind: 'delivered' }],
    ['webhook', a(302, '', { location: 'https://elsewhere' }), { kind: 'retry', retryAfterMs: null }],
    ['webhook', a(404), { kind: 'retry', retryAfterMs: null }],
    ['webhook', a(410), { kind: 'gone' }],
    ['webhook', a(429, '', { 'retry-after': '30' }), { kind: 'retry', retryAfterMs: 30000 }],
    ['webhook', a(503, '', { 'retry-after': 'Tue, 01 Dec 2026 00:01:00 GMT' }), { kind: 'retry', retryAfterMs: 60000 }],
    ['webhook', a(500), { kind: 'retry', retryAfterMs: null }],
    ['webhook', { error: 'ECONNREFUSED: connect ECONNREFUSED' }, { kind: 'retry', retryAfterMs: null }],
    ['discord', a(200, '{"id":"1"}'), { kind: 'delivered' }],
    [
      'discord',
      a(429, '{"retry_after":64.57,"global":false}', { 'retry-after': '65' }),
      { kind: 'retry', retryAfterMs: 64570 },
    ],
    ['discord', a(404, '{"message":"Unknown Webhook","code":10015}'), { kind: 'gone' }],
    ['discord', a(400, '{"message":"Cannot send an empty message","code":50006}'), { kind: 'failed' }],
    ['slack', a(200, 'ok'), { kind: 'delivered' }],
    ['slack', a(429, '', { 'retry-after': '1' }), { kind: 'retry', retryAfterMs: 1000 }],
    ['slack', a(404, 'no_service'), { kind: 'gone' }],
    ['slack', a(410, 'channel_is_archived'), { kind: 'gone' }],
    ['slack', a(400, 'invalid_payload'), { kind: 'failed' }],
    ['telegram', a(200, '{"ok":true,"result":{}}'), { kind: 'delivered' }],
    ['telegram', a(200, '{"ok":false}'), { kind: 'retry', retryAfterMs: null }],
    [
      'telegram',
      a(429, '{"ok":false,"error_code":429,"parameters":{"retry_after":7}}'),
      { kind: 'retry', retryAfterMs: 7000 },
    ],
    ['telegram', a(400, '{"ok":false,"description":"Bad Request: chat not found"}'), { kind: 'gone' }],
    ['telegram', a(401, '{"ok":false,"description":"Unauthorized"}'), { kind: 'gone' }],
    ['telegram', a(400, '{"ok":false,"description":"Bad Request: message is too long"}'), { kind: 'failed' }],
  ] as const)('%s, %j → %j', (kind, answer, expected) => {
    expect(classify(kind, answer, NOW)).toMatchObject(expected);
  });
});
