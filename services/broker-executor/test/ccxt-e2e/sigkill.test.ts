import { randomBytes } from 'node:crypto';
import { encryptSecret } from '@utm/security';
import {
  assertBuilt,
  startBinanceServer,
  startService,
  testRedisUrl,
  withProcessOutput,
  type BinanceSpotServer,
  type ServiceProcess,
} from '@utm/testkit';
import { Stack } from '../support/stack';

/**
 * Exactly once at Binance with a real executor process (main's wiring: the credentials
 * decrypted, the exchange's URLs pointed at the stand-in by CCXT_API_ORIGIN) killed at the worst
 * moment: Binance has filled the market order and our database has not recorded it. The
 * restarted executor finds it by our client order id (origClientOrderId, the symbol from our
 * orders table), adopts it, and never sends a second one.
 */
describe('ccxt (Binance spot): exactly-once placement across a SIGKILL', () => {
  const key = randomBytes(32);
  let server: BinanceSpotServer | undefined;
  const s = new Stack({ executor: false });
  const children: ServiceProcess[] = [];

  const startExecutor = () => {
    const child = startService(
      'broker-executor',
      {
        DATABASE_URL: s.databaseUrl,
        REDIS_URL: testRedisUrl(),
        QUEUE_PREFIX: s.prefix,
        UTM_ENCRYPTION_KEY: key.toString('hex'),
        CCXT_API_ORIGIN: stand().url,
        OPS_PORT: '0',
        BROKER_TIMEOUT_MS: '60000',
        BROKER_POLL_INTERVAL_MS: '600000',
        // Long, so that only the restarted process's start-up pass reconciles.
        RECONCILE_INTERVAL_MS: '600000',
        LOG_LEVEL: 'warn',
      },
      `broker-executor #${children.length + 1}`,
    );
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    assertBuilt('broker-executor');
    server = await startBinanceServer({ balances: { USDT: '100000' } });
    server.setPrice('BTCUSDT', '65000');
    await s.start();
  });
  const stand = (): BinanceSpotServer => {
    if (!server) throw new Error('the Binance stand-in did not start');
    return server;
  };
  afterAll(async () => {
    for (const c of children) await c.stop('SIGKILL');
    await s.stop();
    await server?.close();
  });

  it('the restarted executor adopts the order Binance filled: one order at Binance, a consistent database', async () => {
    await withProcessOutput(
      () => children,
      async () => {
        const f = await s.fixture({ broker: 'ccxt', exchange: 'binance', allowFractional: true });
        const credentials = encryptSecret(
          key,
          JSON.stringify({ apiKey: stand().apiKey, secret: stand().secret }),
          f.accountId,
        );
        await s.db.prisma.account.update({
          where: { id: f.accountId },
          data: { brokerCredentials: new Uint8Array(credentials) },
        });
        stand().fault('POST', '/api/v3/order', { kind: 'acceptThenHang' });

        const first = startExecutor();
        const id = await s.send(f, { symbol: 'BTC/USDT', price: 65000, action: 'openLong', quantity: 0.01 });
        const orderId =
          (await s.waitFor(
            'order decided',
            async () => (await s.signal(id)).orders[0]?.id,
            (v) => v !== undefined,
          )) ?? '';
        await s.waitFor(
          'filled at Binance',
          async () => stand().book.orders.find((o) => o.clientOrderId === orderId)?.status ?? null,
          (v) => v === 'FILLED',
        );
        await s.waitFor(
          'SUBMITTING in our database',
          async () => (await s.signal(id)).orders[0]?.status,
          (st) => st === 'SUBMITTING',
        );
        await first.stop('SIGKILL');
        expect((await s.signal(id)).orders[0]).toMatchObject({ status: 'SUBMITTING', brokerOrderId: null });

        startExecutor();
        const filled = await s.until(id, ['FILLED'], undefined, 30000);
        const atBinance = stand().book.orders.filter((o) => o.clientOrderId === orderId);
        expect(atBinance).toHaveLength(1);
        expect(stand().calls('POST', '/api/v3/order')).toHaveLength(1);
        expect(filled.orders[0]).toMatchObject({ status: 'FILLED', brokerOrderId: `BTCUSDT:${atBinance[0]?.orderId}` });
        expect(filled.events.some((e) => e.type === 'RECONCILED' && /SUBMITTING → FILLED/.test(e.message))).toBe(true);
        expect(await s.account(f.accountId)).toEqual({
          cash: '99350',
          positions: { 'BTC/USDT': { quantity: '0.01', avgPrice: '65000' } },
        });
      },
    );
  }, 90000);
});
