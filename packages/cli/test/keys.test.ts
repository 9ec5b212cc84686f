import { createHash } from 'node:crypto';
import { createRedis, waitForRedis } from '@utm/queue';
import { createFixture, testRedisUrl } from '@utm/testkit';
import { authInvalidationChannel } from '@utm/contracts';
import { Harness, REDIS_DOWN, UNKNOWN_ID } from './harness';

const h = new Harness();
const subscriber = createRedis(testRedisUrl(), 'worker');
afterAll(async () => {
  subscriber.disconnect();
  await h.close();
});

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const rawRow = async (id: string) =>
  (await h.db.pool.query<{ t: string }>('SELECT row_to_json(k)::text AS t FROM api_keys k WHERE id = $1', [id])).rows[0]
    ?.t;

/** Resolves with the next message on the channel of the harness' queue prefix. */
async function nextRevocation(): Promise<{ message: Promise<string> }> {
  await waitForRedis(subscriber);
  const channel = authInvalidationChannel(h.queuePrefix);
  await subscriber.subscribe(channel);
  const message = new Promise<string>((resolve) => {
    const onMessage = (ch: string, msg: string) => {
      if (ch !== channel) return;
      subscriber.off('message', onMessage);
      resolve(msg);
    };
    subscriber.on('message', onMessage);
  });
  return { message };
}

describe('utm key create', () => {
  it('creates a PAPER key with the default rate limit, storing only its hash and prefix', async () => {
    const { userId } = await createFixture(h.prisma);
    const { code, body, stderr } = await h.json<{ keyId: string; apiKey: string }>(['key', 'create', '--user', userId]);
    expect(code).toBe(0);
    expect(Object.keys(body).sort()).toEqual(['apiKey', 'keyId']);
    expect(body.apiKey).toMatch(/^utm_paper_[A-Za-z0-9_-]{32}$/);
    expect(stderr).toMatch(/shown once/);
    expect(stderr).not.toContain(body.apiKey);
    const row = await h.prisma.apiKey.findUniqueOrThrow({ where: { id: body.keyId } });
    expect(row).toMatchObject({
      userId,
      mode: 'PAPER',
      rateLimit: 100,
      revokedAt: null,
      keyHash: sha256(body.apiKey),
      prefix: body.apiKey.slice(0, 14),
    });
    const raw = await rawRow(body.keyId);
    expect(raw).toContain(sha256(body.apiKey));
    expect(raw).not.toContain(body.apiKey);
    expect(raw).not.toContain(body.apiKey.slice(14));
  });

  it('takes --mode (any case) and --rate-limit', async () => {
    const { userId } = await createFixture(h.prisma);
    const { body } = await h.json<{ keyId: string; apiKey: string }>([
      'key',
      'create',
      '--user',
      userId,
      '--mode',
      'live',
      '--rate-limit',
      '250',
    ]);
    expect(body.apiKey).toMatch(/^utm_live_/);
    expect(await h.prisma.apiKey.findUniqueOrThrow({ where: { id: body.keyId } })).toMatchObject({
      mode: 'LIVE',
      rateLimit: 250,
    });
    const human = await h.run(['key', 'create', '--user', userId]);
    expect(human.stdout).toMatch(/^key [0-9a-f-]{36} created \(PAPER, 100\/min\): utm_paper_\S{32}\n$/);
  });

  it('refuses an unknown user and bad flags, creating nothing', async () => {
    await h.jsonError(['key', 'create', '--user', UNKNOWN_ID], 'NOT_FOUND');
    expect(await h.prisma.apiKey.count({ where: { userId: UNKNOWN_ID } })).toBe(0);
    const { userId } = await createFixture(h.prisma);
    expect((await h.jsonError(['key', 'create', '--user', 'bob'], 'VALIDATION_ERROR')).message).toMatch(
      /--user must be a UUID/,
    );
    expect(
      (await h.jsonError(['key', 'create', '--user', userId, '--mode', 'DEMO'], 'VALIDATION_ERROR')).message,
    ).toMatch(/--mode must be one of PAPER, LIVE/);
    for (const bad of ['0', '1.5', 'abc', '-3', '1000001']) {
      await h.jsonError(['key', 'create', '--user', userId, '--rate-limit', bad], 'VALIDATION_ERROR');
    }
    expect(await h.prisma.apiKey.count({ where: { userId } })).toBe(1); // the fixture's own
  });
});

describe('utm key revoke', () => {
  it('revokes by key id and announces the hash on the auth-invalidate channel', async () => {
    const { keyId, apiKey } = await createFixture(h.prisma);
    const { message } = await nextRevocation();
    const { code, body, stderr } = await h.json(['key', 'revoke', '--key', keyId]);
    expect({ code, body, stderr }).toEqual({ code: 0, body: { keyId, revoked: true }, stderr: '' });
    expect(await message).toBe(sha256(apiKey));
    expect((await h.prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } })).revokedAt).toBeInstanceOf(Date);
  });

  it('revokes by the full key; revoking again keeps the first revocation time', async () => {
    const { keyId, apiKey } = await createFixture(h.prisma);
    const { message } = await nextRevocation();
    expect((await h.json(['key', 'revoke', '--key', apiKey])).body).toEqual({ keyId, revoked: true });
    expect(await message).toBe(sha256(apiKey));
    const first = (await h.prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } })).revokedAt;
    const again = await h.run(['key', 'revoke', '--key', keyId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`key ${keyId} (${apiKey.slice(0, 14)}…) revoked at ${first?.toISOString()}`);
    expect((await h.prisma.apiKey.findUniqueOrThrow({ where: { id: keyId } })).revokedAt).toEqual(first);
  });

  it('still revokes when Redis is down or not configured, saying so on stderr', async () => {
    const down = await createFixture(h.prisma);
    const r = await h.json(['key', 'revoke', '--key', down.keyId], {
      settings: () => h.settings({ redisUrl: REDIS_DOWN }),
    });
    expect(r).toMatchObject({ code: 0, body: { keyId: down.keyId, revoked: true } });
    expect(r.stderr).toMatch(
      /could not announce the revocation on Redis .*the revocation stands; gateways drop cached keys within 5 s/,
    );
    expect((await h.prisma.apiKey.findUniqueOrThrow({ where: { id: down.keyId } })).revokedAt).not.toBeNull();

    const none = await createFixture(h.prisma);
    const n = await h.json(['key', 'revoke', '--key', none.keyId], {
      settings: () => h.settings({ redisUrl: undefined }),
    });
    expect(n).toMatchObject({ code: 0, body: { keyId: none.keyId, revoked: true } });
    expect(n.stderr).toMatch(/REDIS_URL is not set/);
  });

  it('refuses an unknown key and a value that is neither an id nor a key, without echoing it', async () => {
    await h.jsonError(['key', 'revoke', '--key', UNKNOWN_ID], 'NOT_FOUND');
    await h.jsonError(['key', 'revoke', '--key', `utm_paper_${'A'.repeat(32)}`], 'NOT_FOUND');
    const secretish = 'sk_live_not_a_utm_key_123';
    const r = await h.jsonError(['key', 'revoke', '--key', secretish], 'VALIDATION_ERROR');
    expect(r.message).not.toContain(secretish);
    expect(r.stderr).not.toContain(secretish);
  });
});
