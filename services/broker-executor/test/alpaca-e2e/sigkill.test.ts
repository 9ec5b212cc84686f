import { randomBytes } from 'node:crypto';
import { encryptSecret } from '@utm/security';
import {
  assertBuilt,
  startAlpacaServer,
  startService,
  testRedisUrl,
  withProcessOutput,
  type AlpacaTestServer,
  type ServiceProcess,
} from '@utm/testkit';
import { Stack } from '../support/stack';

/**
 * Exactly once, with a real process killed at the worst moment: Alpaca has accepted the
 * order, and our database has not recorded it (the executor is waiting for the answer).
 * SIGKILL, no graceful anything. The restarted executor must find the order by its client
 * order id, adopt it, and never place a second one.
 */
describe('exactly-once placement across a SIGKILL', () => {
  const key = randomBytes(32);
  let server: AlpacaTestServer;
  const s = new Stack({ executor: false });
  const children: ServiceProcess[] = [];

  const startExecutor = (extra: Record<string, string> = {}) => {
    const child = startService(
      'broker-executor',
      {
        ...extra,
        DATABASE_URL: s.databaseUrl,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: s.prefix,
        UTM_ENCRYPTION_KEY: key.toString('hex'),
        ALPACA_PAPER_URL: server.url,
        ALPACA_PAPER_STREAM_URL: server.streamUrl,
        OPS_PORT: '0',
        BROKER_TIMEOUT_MS: '60000',
        RECONCILE_INTERVAL_MS: '1000',
        LOG_LEVEL: 'warn',
      },
      `broker-executor #${children.length + 1}`,
    );
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    assertBuilt('broker-executor');
    server = await startAlpacaServer();
    await s.start();
  });
  afterAll(async () => {
    for (const c of children) await c.stop('SIGKILL');
    await s.stop();
    await server.close();
  });

  it('the restarted executor adopts the order Alpaca accepted: one broker order, a consistent database', async () => {
    await withProcessOutput(
      () => children,
      async () => {
        const f = await s.fixture({ broker: 'alpaca' });
        const credentials = encryptSecret(
          key,
          JSON.stringify({ keyId: server.keyId, secretKey: server.secretKey }),
          f.accountId,
        );
        await s.db.prisma.account.update({
          where: { id: f.accountId },
          data: { brokerCredentials: new Uint8Array(credentials) },
        });
        await s.quote('KILL', '42');
        // Alpaca creates the order, then the answer never comes; and its update stream is down
        // (its polling fallback slow), so nothing else tells us either.
        server.fault('POST', '/v2/orders', { kind: 'acceptThenHang' });
        server.stream.accepting = false;

        const first = startExecutor({ BROKER_POLL_INTERVAL_MS: '600000' });
        const id = await s.send(f, { symbol: 'KILL', action: 'openLong', quantity: 5 });
        const orderId =
          (await s.waitFor(
            'order decided',
            async () => (await s.signal(id)).orders[0]?.id,
            (v) => v !== undefined,
          )) ?? '';
        await s.waitFor(
          'accepted at the broker',
          async () => server.book.byClientId(orderId)?.id ?? null,
          (v) => v !== null,
        );
        await s.waitFor(
          'SUBMITTING in our database',
          async () => (await s.signal(id)).orders[0]?.status,
          (st) => st === 'SUBMITTING',
        );

        await first.stop('SIGKILL');
        expect((await s.signal(id)).orders[0]).toMatchObject({ status: 'SUBMITTING', brokerOrderId: null });

        server.stream.accepting = true;
        startExecutor();
        const adopted = await s.until(id, ['SUBMITTED'], undefined, 30000);
        const atBroker = [...server.book.orders.values()].filter((o) => o.client_order_id === orderId);
        expect(atBroker).toHaveLength(1);
        expect(server.calls('POST', '/v2/orders')).toHaveLength(1);
        expect(adopted.orders[0]).toMatchObject({ status: 'ACCEPTED', brokerOrderId: atBroker[0]?.id });
        expect(adopted.events.some((e) => e.type === 'RECONCILED' && /SUBMITTING → ACCEPTED/.test(e.message))).toBe(
          true,
        );

        // And the restarted executor follows it from there.
        server.fill(atBroker[0]?.id ?? '', '42.1');
        const filled = await s.until(id, ['FILLED'], undefined, 15000);
        expect(filled.orders[0]?.avgFillPrice?.toFixed()).toBe('42.1');
        expect(await s.account(f.accountId)).toEqual({
          cash: `${100000 - 5 * 42.1}`,
          positions: { KILL: { quantity: '5', avgPrice: '42.1' } },
        });
      },
    );
  }, 90000);
});
