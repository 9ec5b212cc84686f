import { createIngestValidator } from '@utm/contracts';
import { formatApplied, formatSize, formatTime } from '../../src/format';
import {
  alertMessages,
  fillPlaceholders,
  INDICATOR_ACTIONS,
  PLACEHOLDERS,
  unreachableFromTradingView,
  webhookUrl,
  type AlertTarget,
} from '../../src/tradingview';

const NOW = new Date('2026-12-02T14:30:00.123Z');
const validate = createIngestValidator({ now: () => NOW.getTime() });
const account: AlertTarget = { kind: 'account', accountId: '3f1c9a52-7d4e-4b8a-9c61-2e5f0d7a8b94', name: 'Paper' };

describe('TradingView alert messages', () => {
  it.each(INDICATOR_ACTIONS)('indicator alert "%s", filled in as TradingView would, is a valid signal', (action) => {
    for (const m of alertMessages(account, { action, quantity: '10' })) {
      const body: unknown = JSON.parse(fillPlaceholders(m.text, NOW));
      expect({ id: m.id, result: validate(body) }).toEqual({ id: m.id, result: { ok: true, value: body } });
    }
  });

  it('uses only placeholders TradingView has, each listed with what it means', () => {
    for (const m of alertMessages(account, { action: 'openLong', quantity: '1' })) {
      const found = [...new Set(m.text.match(/\{\{[^}]+\}\}/g))].sort();
      expect(found).toEqual([...m.placeholders].sort());
      for (const p of found) expect(Object.keys(PLACEHOLDERS)).toContain(p);
    }
  });

  it('fills {{timenow}} as TradingView does (UTC, to the second) and keeps the exchange prefix', () => {
    const [strategy] = alertMessages(account, { action: 'openLong', quantity: '1' }).filter((m) => m.id === 'strategy');
    expect(JSON.parse(fillPlaceholders(strategy?.text ?? '', NOW))).toEqual({
      symbol: 'NASDAQ:AAPL',
      action: 'buy',
      sentiment: 'long',
      quantity: '10',
      price: '150.25',
      accountId: account.kind === 'account' ? account.accountId : '',
      sentAt: '2026-12-02T14:30:00Z',
    });
  });

  it('a close needs no quantity; a target to flat takes TradingView size 0', () => {
    const [indicator] = alertMessages(account, { action: 'closeLong', quantity: '10' });
    expect(JSON.parse(indicator?.text ?? '{}')).not.toHaveProperty('quantity');
    const target = alertMessages(account, { action: 'openLong', quantity: '1' }).find((m) => m.id === 'target');
    const flat: unknown = JSON.parse(
      fillPlaceholders(target?.text ?? '', NOW, {
        '{{strategy.market_position}}': 'flat',
        '{{strategy.market_position_size}}': '0',
      }),
    );
    expect(validate(flat).ok).toBe(true);
  });

  it('a strategy target has its own URL and no accountId', () => {
    const strategy: AlertTarget = { kind: 'strategy', strategyId: 's-1', name: 'S' };
    expect(webhookUrl('https://utm.example.com', strategy)).toBe(
      'https://utm.example.com/api/v1/strategies/s-1/signals?apiKey=YOUR_API_KEY',
    );
    for (const m of alertMessages(strategy, { action: 'openLong', quantity: '1' }))
      expect(JSON.parse(m.text)).not.toHaveProperty('accountId');
  });

  it.each<[string, string | null]>([
    ['http://localhost:3000', 'localhost is not reachable from the internet'],
    ['http://192.168.1.20', '192.168.1.20 is not reachable from the internet'],
    ['https://utm.example.com:8443', 'TradingView sends only to ports 80 and 443, not 8443'],
    ['https://utm.example.com', null],
    ['http://203.0.113.7', null],
  ])('says whether TradingView can reach %s', (origin, problem) => {
    expect(unreachableFromTradingView(origin)).toBe(problem);
  });
});

describe('lists show what was sent and what it became', () => {
  it('times carry their date, today too', () => {
    expect(formatTime(new Date().toISOString())).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });
  it('an action with its sentiment and the action it was applied as', () => {
    expect(formatApplied('buy', 'long', 'reverseToLong')).toBe('buy (long) → reverse to long');
    expect(formatApplied('openLong', undefined, 'openLong')).toBe('open long');
    expect(formatApplied('setPosition', 'short', null)).toBe('set position (short)');
    expect(formatSize({ quantity: '15', sentiment: 'long' }, 'setPosition')).toBe('target 15');
    expect(formatSize({ quantity: '0', sentiment: 'flat' }, 'setPosition')).toBe('whole position');
  });
});
