import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { createBrokerExecutor, type BrokerExecutor } from '@utm/broker-executor';
import { JOBS, type DeliveryJob, type OrderJob, type SignalJob } from '@utm/contracts';
import { createDb, type Db } from '@utm/db';
import { createGateway, type Gateway } from '@utm/ingest-gateway';
import { createRedis, Producer, waitForRedis, type RedisConnection } from '@utm/queue';
import { createSignalProcessor, type SignalProcessor } from '@utm/signal-processor';
import {
  createFixture,
  isolatedDatabase,
  postSignal,
  testRedisUrl,
  uniquePrefix,
  uniqueSymbol,
  WebhookReceiver,
  type IsolatedDatabase,
} from '@utm/testkit';
import { createNotifier, type Notifier } from '../src';
import { quiet } from './support/harness';

/**
 * The whole platform in-process (gateway, processor, paper executor, notifier) on a database
 * and queue prefix of its own: a webhook created over HTTP receives, signed, the events of a
 * signal that fills, of one that is refused, and of a halt, each `data` being what the read API
 * answers for it.
 */
const prefix = uniquePrefix('pipe');
const key = randomBytes(32);
let database: IsolatedDatabase;
let db: Db;
let gateway: Gateway;
let processor: SignalProcessor;
let executor: BrokerExecutor;
let notifier: Notifier;
let url = '';
const conns: RedisConnection[] = [];
const producers: Producer<never>[] = [];
let receiver: WebhookReceiver;

beforeAll(async () => {
  database = await isolatedDatabase('pipeline');
  db = createDb({ url: database.url, poolMax: 20 });
  for (let i = 0; i < 6; i++) conns.push(createRedis({ redisUrl: testRedisUrl() }, i < 3 ? 'producer' : 'worker'));
  await Promise.all(conns.map((c) => waitForRedis(c)));
  const [p1, p2, p3, w1, w2, w3] = conns as RedisConnection[] as [
    RedisConnection,
    RedisConnection,
    RedisConnection,
    RedisConnection,
    RedisConnection,
    RedisConnection,
  ];
  const signals = new Producer<SignalJob>(JOBS.signals, { connection: p1, prefix });
  const orders = new Producer<OrderJob>(JOBS.orders, { connection: p2, prefix });
  const deliveries = new Producer<DeliveryJob>(JOBS.deliveries, { connection: p3, prefix });
  producers.push(signals as never, orders as never, deliveries as never);
  gateway = createGateway({
    db,
    redis: p1,
    producer: signals,
    logger: quiet,
    queuePrefix: prefix,
    outboxSweep: false,
    consoleDir: null,
    deliveries,
    encryptionKey: key,
    webhookPolicy: { allowPrivate: true },
  });
  url = `http://127.0.0.1:${((await gateway.listen(0, '127.0.0.1')).address() as AddressInfo).port}`;
  processor = createSignalProcessor({
    db,
    consumer: { connection: w1, prefix },
    orders,
    signals,
    logger: quiet,
    sweepGraceMs: 60000,
  });
  executor = createBrokerExecutor({
    db,
    consumer: { connection: w2, prefix },
    orders,
    signals,
    listen: async () => {
      const c = new Client({ connectionString: database.url });
      await c.connect();
      return c;
    },
    logger: quiet,
    clock: { timeZone: 'America/New_York', close: '16:00' },
    brokerFor: () => {
      throw new Error('paper only');
    },
    quoteSweepMs: 200,
    reconcileIntervalMs: 60000,
    autorun: false,
  });
  await executor.start();
  notifier = createNotifier({
    db,
    consumer: { connection: w3, prefix },
    deliveries,
    logger: quiet,
    encryptionKey: key,
    bases: { discord: 'http://127.0.0.1:9', slack: 'http://127.0.0.1:9', telegram: 'http://127.0.0.1:9' },
    policy: { allowPrivate: true },
    pollIntervalMs: 20,
    autorun: false,
  });
  await notifier.start();
  receiver = await new WebhookReceiver().start();
}, 60000);

afterAll(async () => {
  await receiver?.close();
  await notifier?.close();
  await executor?.close();
  await processor?.close();
  await gateway?.close();
  for (const p of producers) await p.close();
  for (const c of conns) c.disconnect();
  await db?.close();
  await database?.drop();
});

async function until<T>(what: string, get: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

it('a filled signal, a refused one and a halt reach the endpoint, signed, with the read API’s objects', async () => {
  const f = await createFixture(db.prisma);
  const headers = { 'x-api-key': f.apiKey, 'content-type': 'application/json' };
  const created = (await (
    await fetch(`${url}/api/v1/webhooks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        url: receiver.url(),
        events: ['signal.filled', 'signal.rejected', 'order.filled', 'account.halted'],
      }),
    })
  ).json()) as { webhookId: string; secret: string };
  receiver.useSecret(created.secret);

  const symbol = uniqueSymbol();
  await db.pool.query('INSERT INTO quotes (symbol, price) VALUES ($1, 150.25)', [symbol]);
  const filled = await postSignal(url, f, { symbol, action: 'openLong', accountId: f.accountId, quantity: 10 });
  const refused = await postSignal(url, f, { symbol: uniqueSymbol(), action: 'closeLong', accountId: f.accountId });
  await until(
    '3 deliveries',
    () => receiver.delivered.length,
    (n) => n === 3,
  );
  const halt = await fetch(`${url}/api/v1/accounts/${f.accountId}/halt`, { method: 'POST', headers });
  expect(halt.status).toBe(200);
  await until(
    '4 deliveries',
    () => receiver.delivered.length,
    (n) => n === 4,
  );

  const got = receiver.delivered;
  expect(receiver.requests.every((r) => r.verified)).toBe(true);
  const byType = Object.fromEntries(got.map((d) => [d.payload?.type, d.payload]));
  expect(Object.keys(byType).sort()).toEqual(['account.halted', 'order.filled', 'signal.filled', 'signal.rejected']);
  const read = async (path: string) =>
    (await fetch(url + path, { headers })).json() as Promise<Record<string, unknown>>;
  expect(byType['signal.filled']?.data).toEqual(await read(`/api/v1/signals/${filled}`));
  expect(byType['signal.rejected']?.data).toEqual(await read(`/api/v1/signals/${refused}`));
  expect(byType['signal.rejected']?.data).toMatchObject({ status: 'REJECTED', error: { code: 'NO_POSITION' } });
  expect(byType['order.filled']?.data).toMatchObject({
    signalId: filled,
    role: 'ENTRY',
    status: 'FILLED',
    avgFillPrice: '150.25',
  });
  expect(byType['account.halted']?.data).toEqual(await read(`/api/v1/accounts/${f.accountId}`));
  expect(byType['account.halted']?.message).toBe(`Trading state ACTIVE → HALTED (by api-key:${f.keyId})`);
  // Each event once: distinct webhook-ids, and the log says DELIVERED for all.
  expect(new Set(got.map((d) => d.headers['webhook-id'])).size).toBe(4);
  const log = (await read(`/api/v1/webhooks/${created.webhookId}/deliveries`)) as { deliveries: { status: string }[] };
  expect(log.deliveries.map((d) => d.status)).toEqual(['DELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED']);
});
