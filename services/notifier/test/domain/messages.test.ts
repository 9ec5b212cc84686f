import type { WebhookPayload } from '@utm/contracts';
import { clip, messageOf, slackEscape } from '../../src/delivery/messages';

const order = (o: Record<string, unknown>) => ({
  role: 'ENTRY',
  side: 'BUY',
  symbol: 'AAPL',
  quantity: '10',
  filledQuantity: '0',
  avgFillPrice: null,
  limitPrice: null,
  stopPrice: null,
  status: 'NEW',
  ...o,
});
const signal = (s: Record<string, unknown>) => ({
  symbol: 'AAPL',
  action: 'openLong',
  status: 'FILLED',
  request: { quantity: 10 },
  orders: [],
  ...s,
});
const p = (type: WebhookPayload['type'], data: Record<string, unknown>, message?: string): WebhookPayload => ({
  type,
  timestamp: '2026-12-01T00:00:00.000Z',
  data,
  ...(message ? { message } : {}),
});

describe('one readable message per event', () => {
  it.each([
    [
      p(
        'signal.filled',
        signal({ orders: [order({ filledQuantity: '10', avgFillPrice: '150.25', status: 'FILLED' })] }),
      ),
      '✅ AAPL openLong FILLED — 10 @ 150.25',
    ],
    [
      p(
        'signal.rejected',
        signal({
          status: 'REJECTED',
          error: { code: 'INSUFFICIENT_BUYING_POWER', message: 'needs 15,000.00, 9,200.00 available' },
        }),
      ),
      '⛔ AAPL openLong REJECTED — 10\nINSUFFICIENT_BUYING_POWER: needs 15,000.00, 9,200.00 available',
    ],
    [
      p(
        'signal.failed',
        signal({
          status: 'FAILED',
          orders: [order({ type: 'LIMIT', limitPrice: '149' })],
          error: { code: 'BROKER_ERROR', message: 'insufficient qty' },
        }),
      ),
      '❌ AAPL openLong FAILED — 10 @ 149\nBROKER_ERROR: insufficient qty',
    ],
    [p('signal.expired', signal({ status: 'EXPIRED', action: 'closeLong', request: {} })), '⚪ AAPL closeLong EXPIRED'],
    [
      p(
        'order.filled',
        order({
          role: 'TAKE_PROFIT',
          side: 'SELL',
          status: 'PARTIALLY_FILLED',
          filledQuantity: '4',
          avgFillPrice: '156',
        }),
      ),
      '💰 AAPL TAKE_PROFIT SELL PARTIALLY_FILLED — 4 @ 156',
    ],
    [
      p('broker.reconciled', order({ status: 'CANCELLED' }), 'Drift: Alpaca has no record of this order'),
      '🔄 AAPL ENTRY BUY CANCELLED — 10\nDrift: Alpaca has no record of this order',
    ],
    [
      p('account.halted', { accountId: 'a1', name: 'Main' }, 'Trading state ACTIVE → HALTED (by cli)'),
      '🛑 Account Main HALTED\nTrading state ACTIVE → HALTED (by cli)',
    ],
    [
      p('webhook.disabled', { url: 'https://h.example/x', reason: 'no successful delivery since …' }),
      '🔕 Notifications to https://h.example/x were disabled: no successful delivery since …',
    ],
    [p('webhook.test', {}), '🔔 Test notification from utm: this endpoint receives events.'],
  ])('%#: %j', (payload, text) => {
    expect(messageOf(payload)).toBe(text);
  });

  it('clips to a service’s limit by characters, and escapes what Slack reserves', () => {
    expect(clip('ab✓de', 4)).toBe('ab✓…');
    expect([...clip('x'.repeat(5000), 2000)]).toHaveLength(2000);
    expect(slackEscape('<@here> & co')).toBe('&lt;@here&gt; &amp; co');
  });
});
