/**
 * Proves that the hand-written SQL migrations and prisma/schema.prisma describe the same
 * database (`prisma migrate` needs a schema engine that cannot be downloaded here, so nothing
 * else would notice a drift).
 *
 * A fresh database is migrated, then compared both ways:
 * - structure: tables, columns (type, NOT NULL, default), keys, indexes, foreign keys and
 *   enums from Postgres' catalog against schema.prisma and the generated client's runtime
 *   data model — an extra or missing table/column on either side fails;
 * - behaviour: one row of every model, every scalar field set, written and read back through
 *   the generated client; every enum value; every nullable field as null.
 * The runner itself (locking, history, checksums, rollback): migration-runner.test.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { testDatabaseUrl } from '@utm/testkit';
import { $Enums, createDb, migrate, Prisma, type Db, type PrismaClient } from '../src';
import { actualDdl, expectedDdl, isColumn } from './support/ddl';
import { createFreshDatabase, type FreshDatabase } from './support/fresh-database';
import { parseSchema, type PrismaSchema } from './support/prisma-schema';
import { createSampleRows, NUMERIC_MAX_SHAPE, NUMERIC_NEGATIVE } from './support/sample-rows';

interface RuntimeField {
  name: string;
  kind: 'scalar' | 'enum' | 'object';
  type: string;
  dbName?: string;
}
interface RuntimeModel {
  dbName: string | null;
  fields: RuntimeField[];
}

/** The data model the generated client runs on (not public API: fail loudly if it moves). */
function runtimeModels(prisma: PrismaClient): Record<string, RuntimeModel> {
  const rdm = (prisma as unknown as { _runtimeDataModel?: { models?: Record<string, RuntimeModel> } })
    ._runtimeDataModel;
  if (!rdm?.models)
    throw new Error('PrismaClient no longer exposes _runtimeDataModel.models: update the agreement test');
  return rdm.models;
}

const columnsOf = (m: RuntimeModel) => m.fields.filter((f) => f.kind !== 'object');

let fresh: FreshDatabase;
let db: Db;
let catalog: Client;
let schema: PrismaSchema;

beforeAll(async () => {
  schema = parseSchema();
  fresh = await createFreshDatabase(testDatabaseUrl(), 'utm_agree');
  await migrate(fresh.url);
  db = createDb({ url: fresh.url, poolMax: 4, applicationName: 'schema-agreement' });
  catalog = await fresh.client();
}, 60_000);

afterAll(async () => {
  await db?.close();
  await fresh?.drop();
});

describe('structure: the migrated database is what schema.prisma describes', () => {
  it('the generated client was generated from this schema.prisma', () => {
    const models = runtimeModels(db.prisma);
    expect(Object.keys(models).sort()).toEqual(schema.models.map((m) => m.name).sort());
    expect(Object.keys(Prisma.ModelName).sort()).toEqual(Object.keys(models).sort());
    for (const m of schema.models) {
      const rt = models[m.name] as RuntimeModel;
      expect({ model: m.name, table: rt.dbName ?? m.name }).toEqual({ model: m.name, table: m.table });
      const fromSchema = m.fields.filter((f) => isColumn(schema, f)).map((f) => `${f.name}:${f.column}`);
      const fromClient = columnsOf(rt).map((f) => `${f.name}:${f.dbName ?? f.name}`);
      expect({ model: m.name, fields: fromClient.sort() }).toEqual({ model: m.name, fields: fromSchema.sort() });
    }
  });

  it('has exactly the tables and columns the client expects (information_schema, both directions)', async () => {
    const { rows } = await catalog.query<{ table_name: string; column_name: string }>(
      `SELECT c.table_name, c.column_name FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = 'public' AND c.table_name <> '_prisma_migrations'`,
    );
    const { rows: tables } = await catalog.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const inSql = (t: string) =>
      rows
        .filter((r) => r.table_name === t)
        .map((r) => r.column_name)
        .sort();
    const models = Object.entries(runtimeModels(db.prisma));
    const expectedTables = models.map(([name, m]) => m.dbName ?? name).sort();
    expect(tables.map((t) => t.table_name).sort()).toEqual(expectedTables);
    for (const [name, m] of models) {
      const table = m.dbName ?? name;
      const expected = columnsOf(m)
        .map((f) => f.dbName ?? f.name)
        .sort();
      expect({ table, columns: inSql(table) }).toEqual({ table, columns: expected });
    }
  });

  it('column types, NOT NULL and defaults agree', async () => {
    const actual = await actualDdl(catalog);
    const expected = expectedDdl(schema);
    expect(actual.tables).toEqual(expected.tables);
    expect(actual.columns).toEqual(expected.columns);
  });

  it('primary keys, unique constraints and indexes agree (partial indexes are SQL-only by design)', async () => {
    const actual = await actualDdl(catalog);
    expect(actual.indexes).toEqual(expectedDdl(schema).indexes);
    // Partial indexes cannot be written in schema.prisma; Prisma ignores them. Keep them few and known.
    expect(actual.partialIndexes.sort()).toEqual([
      'orders_actionable_by_account_idx: INDEX orders(account_id,seq)',
      'orders_exit_legs_idx: INDEX orders(parent_order_id)',
      'orders_outbox_idx: INDEX orders(seq)',
      'orders_resting_idx: INDEX orders(symbol,seq)',
      'signals_outbox_idx: INDEX signals(seq)',
      'signals_pending_by_account_idx: INDEX signals(account_id,seq)',
      'webhook_deliveries_due_idx: INDEX webhook_deliveries(next_attempt_at)',
    ]);
  });

  it('foreign keys agree, with the referential actions Prisma would write', async () => {
    expect((await actualDdl(catalog)).foreignKeys).toEqual(expectedDdl(schema).foreignKeys);
  });

  it('enum types agree, value for value and in order, with schema.prisma and the client', async () => {
    const actual = (await actualDdl(catalog)).enums;
    expect(actual).toEqual(expectedDdl(schema).enums);
    const client = Object.fromEntries(
      Object.entries($Enums).map(([k, v]) => [k, Object.values(v as Record<string, string>)]),
    );
    expect(actual).toEqual(client);
  });
});

type Row = Record<string, unknown>;

/** A comparable form of a value of a Prisma scalar type. */
function norm(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  switch (type) {
    case 'Decimal':
      return new Prisma.Decimal(v as string | Prisma.Decimal).toFixed(10);
    case 'DateTime':
      return (v as Date).toISOString();
    case 'Bytes':
      return Buffer.from(v as Uint8Array).toString('hex');
    case 'BigInt':
      return String(v);
    default:
      return v;
  }
}

/** Every scalar field of the model was given a value, and reads back equal. */
function expectRoundTrip(model: string, input: object, row: object): void {
  const fields = columnsOf(runtimeModels(db.prisma)[model] as RuntimeModel);
  expect({ model, given: Object.keys(input).sort() }).toEqual({ model, given: fields.map((f) => f.name).sort() });
  const pick = (r: Row) => Object.fromEntries(fields.map((f) => [f.name, norm(f.type, r[f.name])]));
  expect({ model, row: pick(row as Row) }).toEqual({ model, row: pick(input as Row) });
}

describe('behaviour: every model through the generated client', () => {
  it('writes and reads back one row of every model with every scalar field set', async () => {
    const { inputs, rows } = await createSampleRows(db.prisma);
    const p = db.prisma;
    const read = {
      User: await p.user.findUniqueOrThrow({ where: { id: inputs.user.id } }),
      ApiKey: await p.apiKey.findUniqueOrThrow({ where: { keyHash: inputs.apiKey.keyHash } }),
      Account: await p.account.findUniqueOrThrow({ where: { id: inputs.account.id } }),
      AccountRiskSettings: await p.accountRiskSettings.findUniqueOrThrow({ where: { accountId: inputs.account.id } }),
      Position: await p.position.findUniqueOrThrow({
        where: { accountId_symbol: { accountId: inputs.account.id, symbol: inputs.position.symbol } },
      }),
      Quote: await p.quote.findUniqueOrThrow({ where: { symbol: inputs.quote.symbol } }),
      Signal: await p.signal.findUniqueOrThrow({
        where: { userId_idempotencyKey: { userId: inputs.user.id, idempotencyKey: inputs.signal.idempotencyKey } },
      }),
      SignalEvent: await p.signalEvent.findUniqueOrThrow({ where: { id: inputs.event.id } }),
      Order: await p.order.findUniqueOrThrow({ where: { seq: inputs.order.seq } }),
      Fill: await p.fill.findUniqueOrThrow({
        where: { orderId_brokerFillId: { orderId: inputs.order.id, brokerFillId: inputs.fill.brokerFillId } },
      }),
      InstrumentRule: await p.instrumentRule.findUniqueOrThrow({
        where: { venue_symbol: { venue: inputs.instrumentRule.venue, symbol: inputs.instrumentRule.symbol } },
      }),
      AccountEvent: await p.accountEvent.findUniqueOrThrow({ where: { id: inputs.accountEvent.id } }),
      Webhook: await p.webhook.findUniqueOrThrow({ where: { id: inputs.webhook.id } }),
      WebhookDelivery: await p.webhookDelivery.findUniqueOrThrow({
        where: {
          webhookId_source_factId: {
            webhookId: inputs.webhook.id,
            source: inputs.delivery.source,
            factId: inputs.delivery.factId,
          },
        },
      }),
      WebhookAttempt: await p.webhookAttempt.findUniqueOrThrow({ where: { id: inputs.attempt.id } }),
      NotifierCursor: await p.notifierCursor.findUniqueOrThrow({ where: { source: inputs.cursor.source } }),
    };
    const given = {
      User: inputs.user,
      ApiKey: inputs.apiKey,
      Account: inputs.account,
      AccountRiskSettings: inputs.riskSettings,
      Position: inputs.position,
      Quote: inputs.quote,
      Signal: inputs.signal,
      SignalEvent: inputs.event,
      Order: inputs.order,
      Fill: inputs.fill,
      InstrumentRule: inputs.instrumentRule,
      AccountEvent: inputs.accountEvent,
      Webhook: inputs.webhook,
      WebhookDelivery: inputs.delivery,
      WebhookAttempt: inputs.attempt,
      NotifierCursor: inputs.cursor,
    };
    expect(Object.keys(given).sort()).toEqual(Object.keys(runtimeModels(p)).sort());
    for (const [model, input] of Object.entries(given)) {
      expectRoundTrip(model, input, read[model as keyof typeof read]);
    }
    // What create returned is what was stored.
    expectRoundTrip('Order', inputs.order, rows.order);

    // Relations resolve through the foreign keys, both ways.
    const graph = await p.order.findUniqueOrThrow({
      where: { id: inputs.order.id },
      include: {
        parent: true,
        fills: true,
        signal: { include: { events: true, user: { include: { apiKeys: true, accounts: true } } } },
      },
    });
    expect(graph.parent?.id).toBe(rows.entry.id);
    expect(graph.fills.map((f) => f.id)).toEqual([inputs.fill.id]);
    expect(graph.signal.events.map((e) => e.id)).toEqual([inputs.event.id]);
    expect(graph.signal.user.apiKeys.map((k) => k.id)).toEqual([inputs.apiKey.id]);
    const legs = await p.order.findUniqueOrThrow({ where: { id: rows.entry.id }, include: { legs: true } });
    expect(legs.legs.map((l) => l.id)).toEqual([inputs.order.id]);
    // Defaults the SQL supplies where the client gave nothing.
    expect(rows.entry.status).toBe('NEW');
    expect(rows.entry.filledQuantity.toFixed()).toBe('0');
    expect(typeof rows.entry.seq).toBe('bigint');
    const bare = await p.account.create({
      data: { userId: inputs.user.id, name: 'defaults', mode: 'PAPER', broker: 'paper', cash: '1' },
    });
    expect(bare).toMatchObject({
      tradingState: 'ACTIVE',
      allowFractional: false,
      brokerCredentials: null,
      exchange: null,
    });
    const account = await p.account.findUniqueOrThrow({
      where: { id: inputs.account.id },
      include: { riskSettings: true },
    });
    expect(account.riskSettings?.maxSignalAgeSeconds).toBe(86_400);
    expect(bare.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('stores NUMERIC(30,10): 20 integer and 10 fractional digits exactly, refuses a 21st integer digit, rounds an 11th decimal', async () => {
    const { inputs } = await createSampleRows(db.prisma);
    const text = async () =>
      (
        await catalog.query<{ cash: string; quantity: string }>(
          `SELECT a.cash::text AS cash, p.quantity::text AS quantity FROM accounts a JOIN positions p ON p.account_id = a.id WHERE a.id = $1`,
          [inputs.account.id],
        )
      ).rows[0];
    expect(await text()).toEqual({ cash: NUMERIC_MAX_SHAPE, quantity: NUMERIC_NEGATIVE });
    await expect(
      db.prisma.account.update({ where: { id: inputs.account.id }, data: { cash: '123456789012345678901' } }),
    ).rejects.toThrow();
    await db.prisma.account.update({ where: { id: inputs.account.id }, data: { cash: '1.00000000005' } });
    expect((await text())?.cash).toBe('1.0000000001');
  });

  it('stores and reads back every value of every enum field', async () => {
    const { inputs } = await createSampleRows(db.prisma);
    const p = db.prisma;
    const covered = new Set<string>();
    async function cycle<V extends string>(
      label: string,
      values: Record<string, V>,
      write: (v: V) => Promise<unknown>,
      read: () => Promise<unknown>,
    ) {
      for (const v of Object.values(values)) {
        await write(v);
        expect({ label, value: await read() }).toEqual({ label, value: v });
      }
      covered.add(label);
    }
    const key = { where: { id: inputs.apiKey.id } };
    const acct = { where: { id: inputs.account.id } };
    const sig = { where: { id: inputs.signal.id } };
    const ord = { where: { id: inputs.order.id } };
    await cycle(
      'ApiKey.mode',
      $Enums.Mode,
      (mode) => p.apiKey.update({ ...key, data: { mode } }),
      async () => (await p.apiKey.findUniqueOrThrow(key)).mode,
    );
    await cycle(
      'Account.mode',
      $Enums.Mode,
      (mode) => p.account.update({ ...acct, data: { mode } }),
      async () => (await p.account.findUniqueOrThrow(acct)).mode,
    );
    await cycle(
      'Account.broker',
      $Enums.Broker,
      (broker) => p.account.update({ ...acct, data: { broker } }),
      async () => (await p.account.findUniqueOrThrow(acct)).broker,
    );
    await cycle(
      'Account.tradingState',
      $Enums.TradingState,
      (tradingState) => p.account.update({ ...acct, data: { tradingState } }),
      async () => (await p.account.findUniqueOrThrow(acct)).tradingState,
    );
    await cycle(
      'Signal.status',
      $Enums.SignalStatus,
      (status) => p.signal.update({ ...sig, data: { status } }),
      async () => (await p.signal.findUniqueOrThrow(sig)).status,
    );
    await cycle(
      'Signal.action',
      $Enums.SignalAction,
      (action) => p.signal.update({ ...sig, data: { action } }),
      async () => (await p.signal.findUniqueOrThrow(sig)).action,
    );
    await cycle(
      'Signal.appliedAction',
      $Enums.SignalAction,
      (appliedAction) => p.signal.update({ ...sig, data: { appliedAction } }),
      async () => (await p.signal.findUniqueOrThrow(sig)).appliedAction,
    );
    await cycle(
      'Order.role',
      $Enums.OrderRole,
      (role) => p.order.update({ ...ord, data: { role } }),
      async () => (await p.order.findUniqueOrThrow(ord)).role,
    );
    await cycle(
      'Order.side',
      $Enums.OrderSide,
      (side) => p.order.update({ ...ord, data: { side } }),
      async () => (await p.order.findUniqueOrThrow(ord)).side,
    );
    await cycle(
      'Order.type',
      $Enums.OrderType,
      (type) => p.order.update({ ...ord, data: { type } }),
      async () => (await p.order.findUniqueOrThrow(ord)).type,
    );
    await cycle(
      'Order.timeInForce',
      $Enums.TimeInForce,
      (timeInForce) => p.order.update({ ...ord, data: { timeInForce } }),
      async () => (await p.order.findUniqueOrThrow(ord)).timeInForce,
    );
    await cycle(
      'Order.replaceMethod',
      $Enums.ReplaceMethod,
      (replaceMethod) => p.order.update({ ...ord, data: { replaceMethod } }),
      async () => (await p.order.findUniqueOrThrow(ord)).replaceMethod,
    );
    await cycle(
      'Order.status',
      $Enums.OrderStatus,
      (status) => p.order.update({ ...ord, data: { status } }),
      async () => (await p.order.findUniqueOrThrow(ord)).status,
    );
    const hook = { where: { id: inputs.webhook.id } };
    const delivery = { where: { id: inputs.delivery.id } };
    await cycle(
      'Webhook.kind',
      $Enums.WebhookKind,
      (kind) => p.webhook.update({ ...hook, data: { kind } }),
      async () => (await p.webhook.findUniqueOrThrow(hook)).kind,
    );
    await cycle(
      'Webhook.status',
      $Enums.WebhookStatus,
      (status) => p.webhook.update({ ...hook, data: { status } }),
      async () => (await p.webhook.findUniqueOrThrow(hook)).status,
    );
    await cycle(
      'WebhookDelivery.status',
      $Enums.DeliveryStatus,
      (status) => p.webhookDelivery.update({ ...delivery, data: { status } }),
      async () => (await p.webhookDelivery.findUniqueOrThrow(delivery)).status,
    );

    // Bulk insert too: every action and every status in one createMany each.
    const statuses = Object.values($Enums.SignalStatus);
    const actions = Object.values($Enums.SignalAction);
    const { count } = await p.signal.createMany({
      data: statuses.map((status, i) => ({
        id: randomUUID(),
        userId: inputs.user.id,
        accountId: inputs.account.id,
        status,
        action: actions[i % actions.length] as $Enums.SignalAction,
        symbol: 'AAPL',
        request: { i },
      })),
    });
    expect(count).toBe(statuses.length);
    const bulk = await p.signal.findMany({
      where: { accountId: inputs.account.id, symbol: 'AAPL' },
      orderBy: { seq: 'asc' },
    });
    expect(bulk.map((s) => s.status)).toEqual(statuses);
    expect(new Set(bulk.map((s) => s.action))).toEqual(new Set(actions));

    const enumFields = Object.entries(runtimeModels(p)).flatMap(([m, rt]) =>
      rt.fields.filter((f) => f.kind === 'enum').map((f) => `${m}.${f.name}`),
    );
    expect([...covered].sort()).toEqual(enumFields.sort());
  });

  it('stores null in every nullable column', async () => {
    const { inputs } = await createSampleRows(db.prisma);
    const p = db.prisma;
    const nulls = {
      ApiKey: { revokedAt: null },
      Account: { brokerCredentials: null, exchange: null },
      AccountRiskSettings: {
        maxDailyLoss: null,
        autoResume: null,
        maxTradesPerDay: null,
        maxOpenPositions: null,
        tradingWindows: null,
        timezone: null,
        flattenAt: null,
        maxSignalAgeSeconds: null,
        maxOrderNotional: null,
        maxPositionQuantity: null,
      },
      Signal: { appliedAction: null, idempotencyKey: null, requestHash: null, errorCode: null, errorMessage: null },
      SignalEvent: { orderId: null, txId: null },
      Order: {
        parentOrderId: null,
        ocoGroup: null,
        limitPrice: null,
        stopPrice: null,
        trailPercent: null,
        trailAmount: null,
        avgFillPrice: null,
        exitRules: null,
        brokerOrderId: null,
        carriedBy: null,
        replaces: null,
        replaceMethod: null,
        errorCode: null,
        errorMessage: null,
        priceBasis: null,
        cancelRequestedAt: null,
        cancelSentAt: null,
        trailReference: null,
        expiresAt: null,
        triggeredAt: null,
      },
      Fill: { brokerFillId: null },
      InstrumentRule: { quantityStep: null, minQuantity: null, tickSize: null, minNotional: null },
      AccountEvent: { txId: null },
      Webhook: { description: null, failingSince: null, disabledAt: null, disabledReason: null, deletedAt: null },
      WebhookDelivery: {
        source: null,
        factId: null,
        lastStatusCode: null,
        lastError: null,
        nextAttemptAt: null,
        deliveredAt: null,
      },
      WebhookAttempt: { statusCode: null, error: null, response: null },
    };
    const optional = Object.fromEntries(
      schema.models
        .map(
          (m) =>
            [
              m.name,
              m.fields
                .filter((f) => f.optional && isColumn(schema, f))
                .map((f) => f.name)
                .sort(),
            ] as const,
        )
        .filter(([, fields]) => fields.length),
    );
    expect(Object.fromEntries(Object.entries(nulls).map(([m, v]) => [m, Object.keys(v).sort()]))).toEqual(optional);

    const ruleKey = { venue: inputs.instrumentRule.venue, symbol: inputs.instrumentRule.symbol };
    const read = [
      await p.apiKey.update({ where: { id: inputs.apiKey.id }, data: nulls.ApiKey }),
      await p.account.update({ where: { id: inputs.account.id }, data: nulls.Account }),
      await p.accountRiskSettings.update({
        where: { accountId: inputs.account.id },
        data: { ...nulls.AccountRiskSettings, tradingWindows: Prisma.DbNull },
      }),
      await p.signal.update({ where: { id: inputs.signal.id }, data: nulls.Signal }),
      await p.signalEvent.update({ where: { id: inputs.event.id }, data: nulls.SignalEvent }),
      await p.order.update({ where: { id: inputs.order.id }, data: { ...nulls.Order, exitRules: Prisma.DbNull } }),
      await p.fill.update({ where: { id: inputs.fill.id }, data: nulls.Fill }),
      await p.instrumentRule.update({ where: { venue_symbol: ruleKey }, data: nulls.InstrumentRule }),
      await p.accountEvent.update({ where: { id: inputs.accountEvent.id }, data: nulls.AccountEvent }),
      await p.webhook.update({ where: { id: inputs.webhook.id }, data: nulls.Webhook }),
      await p.webhookDelivery.update({ where: { id: inputs.delivery.id }, data: nulls.WebhookDelivery }),
      await p.webhookAttempt.update({ where: { id: inputs.attempt.id }, data: nulls.WebhookAttempt }),
    ];
    const reread = [
      await p.apiKey.findUniqueOrThrow({ where: { id: inputs.apiKey.id } }),
      await p.account.findUniqueOrThrow({ where: { id: inputs.account.id } }),
      await p.accountRiskSettings.findUniqueOrThrow({ where: { accountId: inputs.account.id } }),
      await p.signal.findUniqueOrThrow({ where: { id: inputs.signal.id } }),
      await p.signalEvent.findUniqueOrThrow({ where: { id: inputs.event.id } }),
      await p.order.findUniqueOrThrow({ where: { id: inputs.order.id } }),
      await p.fill.findUniqueOrThrow({ where: { id: inputs.fill.id } }),
      await p.instrumentRule.findUniqueOrThrow({ where: { venue_symbol: ruleKey } }),
      await p.accountEvent.findUniqueOrThrow({ where: { id: inputs.accountEvent.id } }),
      await p.webhook.findUniqueOrThrow({ where: { id: inputs.webhook.id } }),
      await p.webhookDelivery.findUniqueOrThrow({ where: { id: inputs.delivery.id } }),
      await p.webhookAttempt.findUniqueOrThrow({ where: { id: inputs.attempt.id } }),
    ];
    Object.values(nulls).forEach((fields, i) => {
      expect(reread[i]).toMatchObject(fields);
      expect(read[i]).toMatchObject(fields);
    });
  });
});
