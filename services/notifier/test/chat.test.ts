import { DiscordStandIn, SlackStandIn, TelegramStandIn } from '@utm/testkit';
import { Harness } from './support/harness';

/**
 * Discord, Slack and Telegram through local stand-ins that speak each one's documented API,
 * rate limits included: one readable message per event, and a 429's retry_after honoured
 * for every message to that webhook or bot.
 */
let h: Harness;
const discord = new DiscordStandIn();
const slack = new SlackStandIn();
const telegram = new TelegramStandIn();
const TOKEN = '123456789:AAE_test-token-of-the-bot-abcdefghijk';

beforeAll(async () => {
  await Promise.all([discord.start(), slack.start(), telegram.start()]);
  h = await new Harness().start({
    bases: { discord: discord.server.url, slack: slack.server.url, telegram: telegram.server.url },
  });
});
afterAll(async () => {
  await h.close();
  await Promise.all([discord.close(), slack.close(), telegram.close()]);
});

async function filledSignal(userId: string, accountId: string): Promise<string> {
  const s = await h.signal({ userId, accountId, keyId: '', apiKey: '' }, 'MSFT');
  const order = await h.db.prisma.order.create({
    data: {
      id: (await import('node:crypto')).randomUUID(),
      signalId: s,
      accountId,
      role: 'ENTRY',
      symbol: 'MSFT',
      side: 'BUY',
      type: 'MARKET',
      quantity: '10',
      timeInForce: 'DAY',
      status: 'FILLED',
      filledQuantity: '10',
      avgFillPrice: '412.5',
    },
  });
  await h.db.prisma.signal.update({ where: { id: s }, data: { status: 'FILLED' } });
  await h.db.pool.query(
    `INSERT INTO signal_events (signal_id, order_id, type, message) VALUES ($1, $2, 'ORDER_FILLED', 'filled'), ($1, NULL, 'FILLED', 'Signal FILLED')`,
    [s, order.id],
  );
  return s;
}

it('Discord gets one readable message per event, mentions disabled', async () => {
  const f = await h.fixture();
  discord.webhooks.set('1111', 'tok_en-1');
  await h.endpoint(
    f.userId,
    'https://discord.com/api/webhooks/1111/tok_en-1',
    ['signal.filled', 'order.filled'],
    'discord',
  );
  await filledSignal(f.userId, f.accountId);
  await h.until(
    '2 messages',
    () => discord.messages.length,
    (n) => n === 2,
  );
  expect(discord.messages.map((m) => m.content).sort()).toEqual([
    '✅ MSFT openLong FILLED — 10 @ 412.5',
    '💰 MSFT ENTRY BUY FILLED — 10 @ 412.5',
  ]);
  const sent = JSON.parse(discord.server.received[0]?.body ?? '{}') as Record<string, unknown>;
  expect(sent.allowed_mentions).toEqual({ parse: [] });
  expect(discord.server.received.every((r) => r.query.get('wait') === 'true')).toBe(true);
});

it('Slack and Telegram get the message in their own shapes', async () => {
  const f = await h.fixture();
  slack.hooks.add('/services/T01/B02/secret03');
  telegram.bots.add(TOKEN);
  telegram.chats.add('-100555');
  await h.endpoint(f.userId, 'https://hooks.slack.com/services/T01/B02/secret03', ['signal.filled'], 'slack');
  await h.endpoint(
    f.userId,
    `https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=-100555`,
    ['signal.filled'],
    'telegram',
  );
  await filledSignal(f.userId, f.accountId);
  await h.until(
    'both',
    () => slack.messages.length + telegram.messages.length,
    (n) => n === 2,
  );
  expect(slack.messages[0]?.text).toBe('✅ MSFT openLong FILLED — 10 @ 412.5');
  expect(telegram.messages[0]).toEqual({
    token: TOKEN,
    chatId: '-100555',
    text: '✅ MSFT openLong FILLED — 10 @ 412.5',
  });
});

it.each([
  ['discord', () => discord.budget, () => discord.server.received, () => discord.messages.length],
  ['slack', () => slack.budget, () => slack.server.received, () => slack.messages.length],
  ['telegram', () => telegram.budget, () => telegram.server.received, () => telegram.messages.length],
] as const)(
  '%s: a 429 is honoured, its retry_after kept for every message to that endpoint',
  async (kind, budget, received, count) => {
    const f = await h.fixture();
    const url =
      kind === 'discord'
        ? (discord.webhooks.set('2222', 'rl'), 'https://discord.com/api/webhooks/2222/rl')
        : kind === 'slack'
          ? (slack.hooks.add('/services/T09/B09/rl'), 'https://hooks.slack.com/services/T09/B09/rl')
          : (telegram.bots.add(TOKEN),
            telegram.chats.add('777'),
            `https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=777`);
    await h.endpoint(f.userId, url, ['signal.filled'], kind);
    const before = count();
    const seen = received().length;
    // Two messages a 2 s window: the third and fourth must wait for the next window.
    budget().limit = { requests: 2, windowMs: 2000 };
    try {
      for (let i = 0; i < 4; i++) await filledSignal(f.userId, f.accountId);
      await h.until(
        '4 messages',
        () => count() - before,
        (n) => n === 4,
        25000,
      );
      const mine = received().slice(seen);
      const refusals = budget().refusals.filter((r) => r.at >= (mine[0]?.at ?? 0));
      expect(refusals.length).toBeGreaterThanOrEqual(1);
      // After each 429, nothing more reached the service until its announced wait was over (the
      // requests already on their way when it was answered, within a few ms, excepted).
      for (const r of refusals) {
        const early = mine.filter((q) => q.at > r.at + 50 && q.at < r.at + r.waitMs - 50);
        expect(early.map((q) => q.at - r.at)).toEqual([]);
      }
      // And no storm: a handful of requests for 4 messages.
      expect(mine.length).toBeLessThanOrEqual(8);
    } finally {
      budget().limit = null;
    }
  },
);

it('an unknown Discord webhook (404), a blocked Telegram chat, a gone Slack hook disable their endpoint', async () => {
  const f = await h.fixture();
  const d = await h.endpoint(f.userId, 'https://discord.com/api/webhooks/3333/nope', ['signal.filled'], 'discord');
  const t = await h.endpoint(
    f.userId,
    `https://api.telegram.org/bot${TOKEN}/sendMessage?chat_id=404404`,
    ['signal.filled'],
    'telegram',
  );
  slack.hooks.add('/services/T77/B77/archived');
  slack.archived.add('/services/T77/B77/archived');
  const s = await h.endpoint(f.userId, 'https://hooks.slack.com/services/T77/B77/archived', ['signal.filled'], 'slack');
  await filledSignal(f.userId, f.accountId);
  const hooks = () =>
    h.db.prisma.webhook.findMany({ where: { id: { in: [d.id, t.id, s.id] } }, orderBy: { id: 'asc' } });
  const got = await h.until('all disabled', hooks, (ws) => ws.every((w) => w.status === 'DISABLED'));
  expect(got.map((w) => w.disabledReason).join(' | ')).toMatch(
    /Unknown Webhook[\s\S]*|chat not found|channel_is_archived/,
  );
  for (const w of [d, t, s]) expect((await h.deliveriesOf(w.id))[0]).toMatchObject({ status: 'FAILED', attempts: 1 });
});
