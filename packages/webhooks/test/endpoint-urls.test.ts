import { DEFAULT_CHAT_BASES, parseEndpoint, targetOf } from '../src';

const bases = { discord: 'http://127.0.0.1:1', slack: 'http://127.0.0.1:2/', telegram: 'http://127.0.0.1:3' };
const TG = 'https://api.telegram.org/bot123456:ABCdefGHIjklMNOpqrSTUvwx_-yz/sendMessage?chat_id=-1001234';

describe('endpoint URLs by kind', () => {
  it.each([
    ['webhook', 'https://hooks.example.com/utm', 'https://hooks.example.com/utm'],
    ['webhook', 'http://10.0.0.1:8080/in?token=s3cret', 'http://10.0.0.1:8080/in?…'],
    ['discord', 'https://discord.com/api/webhooks/123456789/tok-EN_x', 'https://discord.com/api/webhooks/123456789/…'],
    ['discord', 'https://discordapp.com/api/v10/webhooks/1/t', 'https://discord.com/api/webhooks/1/…'],
    ['slack', 'https://hooks.slack.com/services/T000/B000/XXXXsecret', 'https://hooks.slack.com/services/T000/B000/…'],
    ['telegram', TG, 'https://api.telegram.org/bot…/sendMessage?chat_id=-1001234'],
    [
      'telegram',
      TG.replace('-1001234', '%40mychannel'),
      'https://api.telegram.org/bot…/sendMessage?chat_id=@mychannel',
    ],
  ] as const)('%s %s is shown as %s (no secret part)', (kind, url, shown) => {
    expect(parseEndpoint(kind, url)).toEqual({ ok: true, displayUrl: shown });
  });

  it.each([
    ['webhook', 'ftp://example.com/x'],
    ['webhook', 'not a url'],
    ['webhook', 'https://user:pw@example.com/'],
    ['discord', 'https://example.com/api/webhooks/1/t'],
    ['discord', 'http://discord.com/api/webhooks/1/t'],
    ['slack', 'https://hooks.slack.com/other/T/B/x'],
    ['telegram', 'https://api.telegram.org/bot123:short/sendMessage?chat_id=1'],
    ['telegram', TG.replace('chat_id=-1001234', 'chat_id=')],
    ['telegram', `${TG}&parse_mode=HTML`],
  ] as const)('%s refuses %s, naming the field and never echoing the URL', (kind, url) => {
    const r = parseEndpoint(kind, url);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.details[0]?.field).toBe('url');
      expect(r.details[0]?.message).not.toContain('ABCdef');
    }
  });

  it('sends chat deliveries under the configured origins, and webhooks where they point', () => {
    expect(targetOf('discord', 'https://discord.com/api/webhooks/9/tk', bases)).toEqual({
      kind: 'discord',
      url: 'http://127.0.0.1:1/api/webhooks/9/tk?wait=true',
    });
    expect(targetOf('slack', 'https://hooks.slack.com/services/T1/B2/S3', bases).url).toBe(
      'http://127.0.0.1:2/services/T1/B2/S3',
    );
    expect(targetOf('telegram', TG, bases)).toEqual({
      kind: 'telegram',
      url: 'http://127.0.0.1:3/bot123456:ABCdefGHIjklMNOpqrSTUvwx_-yz/sendMessage',
      chatId: '-1001234',
    });
    expect(targetOf('webhook', 'https://h.example/x?y=1', DEFAULT_CHAT_BASES).url).toBe('https://h.example/x?y=1');
  });
});
