import { createHash } from 'node:crypto';
import { Harness } from './harness';

const h = new Harness();
afterAll(() => h.close());

describe('utm bootstrap', () => {
  it('creates a demo user, a PAPER paper-broker account with 100000 cash and a PAPER key → {"userId","accountId","apiKey"}', async () => {
    const { code, body, stderr } = await h.json<{ userId: string; accountId: string; apiKey: string }>(['bootstrap']);
    expect(code).toBe(0);
    expect(Object.keys(body).sort()).toEqual(['accountId', 'apiKey', 'userId']);
    expect(stderr).toMatch(/shown once/);
    const user = await h.prisma.user.findUniqueOrThrow({
      where: { id: body.userId },
      include: { accounts: true, apiKeys: true },
    });
    expect(user.name).toBe('demo');
    expect(user.accounts).toHaveLength(1);
    expect(user.accounts[0]).toMatchObject({
      id: body.accountId,
      mode: 'PAPER',
      broker: 'paper',
      tradingState: 'ACTIVE',
      brokerCredentials: null,
    });
    expect(user.accounts[0]?.cash.toFixed()).toBe('100000');
    expect(user.apiKeys).toHaveLength(1);
    expect(body.apiKey).toMatch(/^utm_paper_/);
    expect(user.apiKeys[0]).toMatchObject({
      mode: 'PAPER',
      rateLimit: 100,
      revokedAt: null,
      keyHash: createHash('sha256').update(body.apiKey).digest('hex'),
    });
  });

  it('prints the credentials for humans, and each run makes a new demo user', async () => {
    const r = await h.run(['bootstrap']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^user {5}[0-9a-f-]{36} \(demo\)\naccount {2}[0-9a-f-]{36} \(PAPER, paper broker, cash 100000\)\nAPI key {2}utm_paper_\S{32}\n$/,
    );
    const again = await h.json<{ userId: string }>(['bootstrap']);
    expect(r.stdout).not.toContain(again.body.userId);
  });

  it('writes nothing when the database is unavailable', async () => {
    const { createDb } = await import('@utm/db');
    const down = createDb({ url: 'postgresql://postgres@127.0.0.1:1/none', connectTimeoutMs: 500 });
    try {
      const { message } = await h.jsonError(['bootstrap'], 'SERVICE_UNAVAILABLE', { db: () => down });
      expect(message).toMatch(/^database unavailable: /);
    } finally {
      await down.close();
    }
  });
});
